-- read-only guard counters_readonly_update on testapp_order (testapp.Order): BEFORE UPDATE FOR EACH ROW
--   WHEN pg_trigger_depth() < 1 AND current_setting('counters.unguarded', true) IS DISTINCT FROM 'on' AND (OLD."first_item_at" IS DISTINCT FROM NEW."first_item_at" OR OLD."items_count" IS DISTINCT FROM NEW."items_count" OR OLD."largest_amount" IS DISTINCT FROM NEW."largest_amount" OR OLD."total_amount" IS DISTINCT FROM NEW."total_amount" OR OLD."units" IS DISTINCT FROM NEW."units")
NEW."first_item_at" := OLD."first_item_at";
NEW."items_count" := OLD."items_count";
NEW."largest_amount" := OLD."largest_amount";
NEW."total_amount" := OLD."total_amount";
NEW."units" := OLD."units";
RETURN NEW;
