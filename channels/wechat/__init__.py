"""WeChat Official Account input channel. Register in credentials.yml as `channels.wechat.WeChatInput`."""
from channels.wechat.channel import WeChatInput

__all__ = ["WeChatInput"]
