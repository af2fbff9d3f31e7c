-- A table of your own that OpenInsights reads in place (examples/warehouse-catalog.yaml): nothing is
-- copied or loaded. Run it as the table's owner in the analytics database
-- (psql "$OPENINSIGHTS_ANALYTICS_URL_AS_OWNER" -f examples/warehouse-orders.sql), then give the
-- service's role read access, nothing more (docs/analytics-postgres.md, "Reports straight from your
-- own tables"):
--   GRANT USAGE ON SCHEMA sales TO openinsights_analytics;
--   GRANT SELECT ON sales.orders TO openinsights_analytics;
CREATE SCHEMA IF NOT EXISTS sales;

CREATE TABLE sales.orders (
  order_id    uuid PRIMARY KEY,
  partner_id  text NOT NULL,            -- the tenant: the partner's tenant id
  created_at  timestamptz NOT NULL,
  customer    varchar(200) NOT NULL,
  country     text NOT NULL,
  product     text NOT NULL,
  is_renewal  boolean NOT NULL,
  quantity    integer NOT NULL,
  amount_usd  numeric(12, 2) NOT NULL
);
-- Tenant first, then time: the index every report's tenant filter and TIMESPAN window use.
CREATE INDEX orders_partner_created ON sales.orders (partner_id, created_at);

INSERT INTO sales.orders VALUES
  ('0c6e1d8a-4c1f-4f7e-8a53-1f0a9b2c3d01', '7d0c3e2a-1b4f-4c8e-9a6d-5e2f1b3c4d5a', '2026-11-03 09:15:00+00', 'Contoso', 'France', 'Analytics Pro', false, 3, 1499.97),
  ('0c6e1d8a-4c1f-4f7e-8a53-1f0a9b2c3d02', '7d0c3e2a-1b4f-4c8e-9a6d-5e2f1b3c4d5a', '2026-11-06 00:30:00+01', 'Fabrikam', 'Germany', 'Analytics Pro', true, 1, 499.99),
  ('0c6e1d8a-4c1f-4f7e-8a53-1f0a9b2c3d03', '7d0c3e2a-1b4f-4c8e-9a6d-5e2f1b3c4d5a', '2026-11-12 12:00:00+00', 'Contoso', 'France', 'Connectors', false, 10, 250.00),
  ('0c6e1d8a-4c1f-4f7e-8a53-1f0a9b2c3d04', '7d0c3e2a-1b4f-4c8e-9a6d-5e2f1b3c4d5a', '2026-11-20 17:45:00+00', 'Northwind Traders', 'United States', 'Analytics Pro', true, 2, 999.98),
  ('0c6e1d8a-4c1f-4f7e-8a53-1f0a9b2c3d05', '7d0c3e2a-1b4f-4c8e-9a6d-5e2f1b3c4d5a', '2026-11-28 08:05:00+00', 'Fabrikam', 'Germany', 'Connectors', false, 4, 100.00),
  ('0c6e1d8a-4c1f-4f7e-8a53-1f0a9b2c3d06', '7d0c3e2a-1b4f-4c8e-9a6d-5e2f1b3c4d5a', '2026-10-30 10:00:00+00', 'Contoso', 'France', 'Analytics Pro', false, 1, 499.99),
  ('0c6e1d8a-4c1f-4f7e-8a53-1f0a9b2c3d07', '2b9e4f1c-6a3d-4e7b-8c5f-0d1e2f3a4b5c', '2026-11-14 14:00:00+00', 'Litware', 'Canada', 'Analytics Pro', false, 5, 2499.95);
