"""Webhooks: a firm's endpoints told when its exports finish (Standard Webhooks, signed)."""
