-- read-only guard counters_readonly_insert on adopters_shop (adopters.Shop): BEFORE INSERT FOR EACH ROW
--   WHEN pg_trigger_depth() < 1 AND current_setting('counters.unguarded', true) IS DISTINCT FROM 'on' AND (NEW."paid_orders_count" IS DISTINCT FROM 0 OR NEW."paid_total" IS DISTINCT FROM 0)
NEW."paid_orders_count" := 0;
NEW."paid_total" := 0;
RETURN NEW;
