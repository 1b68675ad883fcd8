"""The web's forms, one module per area as the views are: public, consumer, complaints (a complaint's page),
filings (promotion filings), merchant (the shop's settings), regulator; common holds the upload field they
share. Nothing is re-exported here: an import names the module (`from complaintdesk.web.forms.filings import
FilingForm`)."""
