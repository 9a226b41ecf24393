"""Reading input files into validated, typed models (articles, paper settings).

``yamlfile`` parses YAML strictly and keeps line numbers; ``article`` holds the models;
``reader`` turns a file into an ``Article`` and the warnings found on the way.
"""
