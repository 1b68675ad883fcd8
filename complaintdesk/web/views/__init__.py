"""The web pages, one module per audience: public, consumer, merchant, regulator; complaint pages shared."""
