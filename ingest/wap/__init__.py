"""Write-audit-publish: dbt builds a candidate, Great Expectations checks it, publish moves it into marts."""
