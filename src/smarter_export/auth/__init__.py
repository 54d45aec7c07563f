"""Who is asking and what they may take: bearer tokens, principals, the service's secrets."""
