"""What can be exported: one module per data source, declared columns, typed filters, a registry."""
