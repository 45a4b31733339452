"""Custom Rasa NLU components.

Rasa imports this package before it builds the custom components named in config.yml, for training, testing and
serving alike: the one place to make its batch generator use the vectorized sparse conversion
(`sparse_batches`, the same arrays in a fraction of DIET's training time).
"""
from bot.nlu import sparse_batches

sparse_batches.install()
