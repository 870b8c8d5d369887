-- URL signing keys: one Ed25519 key pair per subject (user or organization), generated the first
-- time the subject signs a URL. Re-generating it (POST /subjects/:subject/keypair) replaces the row,
-- which revokes every signed URL the subject handed out, since they no longer verify. The private
-- key is kept as it is (base64 PKCS#8): it must sign, so it cannot be hashed.
CREATE TABLE access_url_signing_key (
    subject_id          BIGINT        NOT NULL PRIMARY KEY REFERENCES subject_subject (id) ON DELETE CASCADE,
    public_key          VARCHAR(200)  NOT NULL,   -- base64 X.509 SubjectPublicKeyInfo
    private_key         VARCHAR(200)  NOT NULL,   -- base64 PKCS#8
    created             BIGINT        NOT NULL    -- epoch millis, UTC
);
