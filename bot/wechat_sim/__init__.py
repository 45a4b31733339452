"""A local stand-in for WeChat: its message server (signed, encrypted pushes with retries), its API
(tokens, customer-service messages, quotas) and a follower's chat. Nothing here talks to a real WeChat host."""
