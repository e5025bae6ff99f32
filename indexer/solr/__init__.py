"""The SolrCloud engine: the configset, its provisioning, documents, client and query translation."""
