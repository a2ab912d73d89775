"""Link questions, one module per family; each answered by networkx (embedded) or Cypher (Neo4j)."""
