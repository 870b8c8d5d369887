-- Index files a rebuild superseded (a YUM <sha256>-primary.xml.gz, a Debian by-hash file) stay
-- servable until expires (epoch milliseconds), so a client that read the previous repomd.xml or
-- InRelease can still fetch what it names; NULL marks the files of the current generation.
ALTER TABLE formats_index_file ADD COLUMN expires BIGINT;
CREATE INDEX formats_index_file_expires ON formats_index_file (expires);
