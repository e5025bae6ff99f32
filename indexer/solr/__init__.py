"""The SolrCloud engine behind SearchBackend (NEWSARCHIVE_BACKEND=solr): configset, provisioning, documents, client,
query translation, the backend; and a local SolrCloud to develop and test on (devcluster/). Imported only when picked.
"""
