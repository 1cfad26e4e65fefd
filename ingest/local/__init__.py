"""Services on this machine: the embedded PostgreSQL, Airflow, Superset and its dashboard bundle."""
