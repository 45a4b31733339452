"""The account's outbound side: messages it sends first (notices, reminders, surveys) inside WeChat's rules."""
