-- read-only guard counters_readonly_insert on testapp_order (testapp.Order): BEFORE INSERT FOR EACH ROW
--   WHEN pg_trigger_depth() < 1 AND current_setting('counters.unguarded', true) IS DISTINCT FROM 'on' AND (NEW."first_item_at" IS DISTINCT FROM NULL OR NEW."items_count" IS DISTINCT FROM 0 OR NEW."largest_amount" IS DISTINCT FROM NULL OR NEW."total_amount" IS DISTINCT FROM 0 OR NEW."units" IS DISTINCT FROM 0)
NEW."first_item_at" := NULL;
NEW."items_count" := 0;
NEW."largest_amount" := NULL;
NEW."total_amount" := 0;
NEW."units" := 0;
RETURN NEW;
