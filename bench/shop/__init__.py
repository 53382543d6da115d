"""The benchmark's shop: the same purchases kept two ways, a plain count and a distinct count of
buyers, on two identical source tables so that each is measured alone against triggers off."""
