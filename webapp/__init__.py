"""The web app: an HTTP adapter over indexer.search (Flask). It arrives with the web-app issue."""
