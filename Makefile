# The two commands of the README, plus the steps they are made of.
.PHONY: run test install seed train chat benchmark nlu-report
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
benchmark: train
	for workers in 1 2; do for conversation in faq self-service; do \
	  .venv/bin/python benchmarks/wechat_channel.py --workers $$workers --conversation $$conversation || exit 1; \
	done; done
chat:
	.venv/bin/python -m bot wechat-sim chat --url http://127.0.0.1:$${BOT_PORT:-5005}/webhooks/wechat/webhook
nlu-report:
	bash scripts/nlu_report.sh
