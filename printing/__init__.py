"""Official forms as PDFs (reportlab), barcodes (python-barcode), and sending them to a printer.

Reads dossiers through the desk; knows nothing of Textual.
"""
