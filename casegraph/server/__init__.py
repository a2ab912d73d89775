"""casegraph serve: a local web workspace over a store (JSON API, the view page, review)."""
