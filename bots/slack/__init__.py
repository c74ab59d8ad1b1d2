"""The Slack channel: mentions, direct messages and a slash command answered by the one core, in Block Kit.

HTTP mode runs inside the FastAPI server at /slack/events (install.py); Socket Mode runs as
`assistant slack` (socket_mode.py, cli.py). docs/slack.md tells an admin how to install the app.
"""
