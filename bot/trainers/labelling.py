"""Writes a labelled inbox message into the training data file that already holds its intent or entry.

The example is appended to the intent's (or `faq/<entry>`'s) block as one more line, so the file keeps its
comments and order and a designer sees it where the intent's other examples are. Personal numbers are replaced
by synthetic ones first; a text already in the training data is not written twice.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Dict, Iterable, List, Set

from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

from bot.trainers.inbox import normalized
from bot.trainers.synthetic import synthesize

NLU_DIR = Path("data/nlu")
_BLOCK = re.compile(r"^- intent:\s*(\S+)\s*$")
_EXAMPLE = re.compile(r"^\s{4}- ")


class LabelError(ValueError):
    """The label names no intent or knowledge-base entry of the training data."""


def _nlu_files(nlu_dir: Path) -> Dict[Path, str]:
    return {path: path.read_text(encoding="utf-8") for path in sorted(nlu_dir.rglob("*.yml"))}


def _texts_of(files: Dict[Path, str]) -> Set[str]:
    return {normalized(message.get("text")) for content in files.values()
            for message in RasaYAMLReader().reads(content).intent_examples}


def training_texts(nlu_dir: Path = NLU_DIR) -> Set[str]:
    """Every example text of the training data, normalised (to leave trained messages out of the inbox)."""
    return _texts_of(_nlu_files(nlu_dir))


def _labels_of(files: Dict[Path, str]) -> Dict[str, Path]:
    """Each intent or `faq/<entry>` label → the first file (by name) with a block for it."""
    found: Dict[str, Path] = {}
    for path, content in files.items():
        for line in content.splitlines():
            match = _BLOCK.match(line)
            if match:
                found.setdefault(match.group(1), path)
    return found


def add_examples(label: str, texts: Iterable[str], nlu_dir: Path = NLU_DIR) -> List[str]:
    """Appends the new texts (synthetic numbers, one line each) to `label`'s block; returns what was written."""
    contents = _nlu_files(nlu_dir)
    files = _labels_of(contents)
    if label not in files:
        close = sorted(name for name in files if label.split("/")[-1][:2] in name)[:5]
        raise LabelError(f"no intent or knowledge-base entry '{label}' in {nlu_dir}" + (f" (did you mean: {', '.join(close)})" if close else ""))
    known = _texts_of(contents)
    new: List[str] = []
    for text in texts:
        example = synthesize(" ".join(text.split()))
        if example and normalized(example) not in known and normalized(text) not in known:
            known.add(normalized(example))
            new.append(example)
    if not new:
        return []
    path = files[label]
    lines = contents[path].splitlines()
    start = next(i for i, line in enumerate(lines) if _BLOCK.match(line) and _BLOCK.match(line).group(1) == label)
    end = start + 1
    while end < len(lines) and (_EXAMPLE.match(lines[end]) or lines[end].strip() in ("examples: |", "")
                                or lines[end].startswith("  examples:")):
        end += 1
    while end > start + 1 and not _EXAMPLE.match(lines[end - 1]):   # after the block's last example
        end -= 1
    lines[end:end] = [f"    - {example}" for example in new]
    text = "\n".join(lines) + "\n"
    RasaYAMLReader().reads(text)   # raises before writing if the file would no longer parse
    path.write_text(text, encoding="utf-8")
    return new
