# The two commands of the README, plus the steps they are made of.
.PHONY: run test install seed train
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
