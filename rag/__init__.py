"""newsrag's engine: chunking, embedding, the store, retrieval, answering and citations."""
