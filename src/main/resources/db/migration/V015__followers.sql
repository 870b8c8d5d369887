-- Followers: a signed-in user follows a package (its page shows how many do, as Get Package's
-- followers_count) or a subject, a user or organization owning repositories (Get Followers, and
-- followers_count in Get User and Get Organization). A follow goes with its package, its subject
-- and its follower.
CREATE TABLE content_package_follower (
    package_id      BIGINT       NOT NULL REFERENCES content_package (id) ON DELETE CASCADE,
    user_id         BIGINT       NOT NULL REFERENCES subject_subject (id) ON DELETE CASCADE,
    followed        BIGINT       NOT NULL,    -- epoch millis, UTC
    PRIMARY KEY (package_id, user_id)
);
CREATE INDEX content_package_follower_user ON content_package_follower (user_id);

CREATE TABLE subject_follower (
    subject_id      BIGINT       NOT NULL REFERENCES subject_subject (id) ON DELETE CASCADE,
    user_id         BIGINT       NOT NULL REFERENCES subject_subject (id) ON DELETE CASCADE,
    followed        BIGINT       NOT NULL,    -- epoch millis, UTC
    PRIMARY KEY (subject_id, user_id)
);
CREATE INDEX subject_follower_user ON subject_follower (user_id);
