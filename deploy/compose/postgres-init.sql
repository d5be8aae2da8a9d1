-- One database per service on the compose PostgreSQL (mirrors deploy/local/postgres.sh).
-- Runs once, when the data volume is first initialised.
CREATE DATABASE ap_incidents;
CREATE DATABASE ap_finance;
CREATE DATABASE ap_reporting;
CREATE DATABASE ap_notifications;
CREATE DATABASE ap_keys;
CREATE DATABASE ap_audit;
