"""The ground floor: settings, warehouse connections, logging, errors, failpoints, the marts checksum."""
