"""Adapters of the incidents service: codec, process wiring, Kafka result publishing."""
