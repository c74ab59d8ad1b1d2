"""Channel adapters (Slack, Teams, web widget) over the one answer core."""
