-- read-only guard counters_readonly_update on adopters_shop (adopters.Shop): BEFORE UPDATE FOR EACH ROW
--   WHEN pg_trigger_depth() < 1 AND current_setting('counters.unguarded', true) IS DISTINCT FROM 'on' AND (OLD."paid_orders_count" IS DISTINCT FROM NEW."paid_orders_count" OR OLD."paid_total" IS DISTINCT FROM NEW."paid_total")
NEW."paid_orders_count" := OLD."paid_orders_count";
NEW."paid_total" := OLD."paid_total";
RETURN NEW;
