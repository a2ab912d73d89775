"""Coverage-guided fuzzing of the structured loaders (atheris harnesses, seed corpora)."""
