"""E-mail when an export is done: a link to the Export Center, never the file itself."""
