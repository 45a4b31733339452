"""What the account says first: usage and bill reminders, satisfaction surveys (sources of OutboundMessage)."""
