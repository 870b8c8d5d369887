-- Product scopes of entitlements (Bintray Enterprise): an entitlement is on a product when
-- product_id is set; repository_id, package_id, version_id and path are then null. Deleting the
-- product deletes its entitlements.
ALTER TABLE access_entitlement ADD COLUMN product_id BIGINT;
ALTER TABLE access_entitlement ADD CONSTRAINT access_entitlement_product
    FOREIGN KEY (product_id) REFERENCES product_product (id) ON DELETE CASCADE;
CREATE INDEX access_entitlement_product_id ON access_entitlement (product_id);
