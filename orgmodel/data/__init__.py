"""Files shipped inside the package (the Popolo export's JSON-LD context)."""
