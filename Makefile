# The two commands of the README, plus the steps they are made of.
.PHONY: run test install seed train chat benchmark
run:
	bash scripts/run.sh
test:
	bash scripts/test.sh
install:
	bash scripts/setup.sh
seed: install
	.venv/bin/python -m bot seed
train: install
	bash scripts/train.sh
benchmark:
	.venv/bin/python benchmarks/wechat_channel.py
chat:
	.venv/bin/python -m bot wechat-sim chat --url http://127.0.0.1:$${BOT_PORT:-5005}/webhooks/wechat/webhook
