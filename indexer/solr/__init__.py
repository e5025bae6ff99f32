"""The distributed engine: newsarchive on SolrCloud, and a local SolrCloud to develop and test it on."""
