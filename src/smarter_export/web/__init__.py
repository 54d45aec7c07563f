"""The Export Center: a web page that requests, watches and downloads exports through the API."""
