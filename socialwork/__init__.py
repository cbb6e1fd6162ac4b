"""XX县社会工作人才支持专项工作方案 dashboard: data contract, queries, metrics, charts, CLI."""
