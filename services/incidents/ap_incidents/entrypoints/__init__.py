"""Entry points of the incidents service: HTTP API, Kafka command ingestion, projections."""
