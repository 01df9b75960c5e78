"""Writers: JSON, tables, graphs, BookNLP-style TSV and the HTML report."""
