"""balancekit on Dask: lazy results from Dask arrays and DataFrames.

This package is imported only when a Dask collection reaches a public entry point
(``balancekit._dask_route``), so ``import balancekit`` never imports Dask. The public
names keep their signatures; their Dask implementations live here:

- ``RandomUnderSampler`` and ``RandomOverSampler`` (``_random_samplers``): exact
  per-class targets, resolved on the global class counts as in memory;
- ``SMOTE``, ``SMOTENC``, ``BorderlineSMOTE``, ``ADASYN`` (``_smote``,
  ``_smote_tasks``): the rows to grow gathered on one worker (within the
  ``balancekit.max-gather-bytes`` budget), the in-memory sampler run there;
- ``TomekLinks``, ``EditedNearestNeighbours``, ``NeighbourhoodCleaningRule``
  (``_cleaning``, ``_kept_rows``) on the distributed exact kNN query (``_knn``);
- ``NearMiss`` (``_nearmiss``): the minority shipped to partitions, a top-n tree;
- ``OneSidedSelection`` (``_one_sided``): the store C shipped to every partition,
  then TomekLinks;
- ``RepeatedEditedNearestNeighbours`` and ``AllKNN`` (``_repeated_editing``): one
  distributed editing pass per round, on the persisted rows the previous round kept;
- ``SMOTEENN`` and ``SMOTETomek`` (``_combine``): the SMOTE route's output,
  persisted, then the cleaning route on it;
- ``SVMSMOTE``, ``KMeansSMOTE``, ``SMOTEIPF``, ``ProWSyn``, ``PolynomialFitSMOTE``,
  ``SMOTEN``, ``CondensedNearestNeighbour``, ``InstanceHardnessThreshold``,
  ``ClusterCentroids``, ``FunctionSampler`` (``_one_worker``): global rules, the rows
  they read gathered on one worker (within the budget), the in-memory sampler there;
- ``fit`` of every sampler (``_fit``): the checks and ``sampling_strategy_`` from
  one pass over ``y``, no resampling;
- ``compute_class_weight`` and ``compute_sample_weight`` (``_weights``),
  ``class_counts`` and ``check_sampling_strategy`` (``_label_utils``);
- the confusion-matrix metrics and reports (``_metrics``), ranking metrics and curves
  (``_ranking``, ``_curves``, ``_one_vs_rest``, ``_brier``), the streaming metrics'
  ``update`` (``_streaming``): computed on the call, equal to the NumPy path;
- ``diagnostics.inspect`` (``_inspect*``).

The docs page "Scaling out" says what runs where and what reaches the client. The
plan the samplers follow:

1. **Normalise** the inputs (``_collections``): Dask arrays, DataFrames and Series
   for ``X``, ``y`` and ``sample_weight``, all Dask, with the same row partitioning;
   each fault gets a message naming the parameter (unknown chunk sizes, mixed Dask
   and in-memory arguments, object dtypes, mixed label types, misaligned partitions).
2. **Count** (``_counts``): one pass over ``y`` gives the count of each class in
   each partition. These O(n_classes x n_partitions) numbers are the only values the
   client computes; everything else stays lazy.
3. **Plan on the client**: the strategy is resolved on the global counts, and each
   class's target is split across the partitions with the in-memory draw's
   distribution (multivariate hypergeometric without replacement, multinomial with
   replacement), by a ``numpy.random.Generator`` seeded from ``random_state``.
4. **Draw in the partitions**: partition ``i`` draws its rows from
   ``SeedSequence(root, spawn_key=(i, ...))``, ``root`` drawn once from the same
   generator, so results depend on ``random_state`` and the partitioning only: never
   on the number of workers or the scheduler.
5. **Return lazy collections** in the input's types, with the output partition sizes
   (known on the client from the plan) as their chunks and divisions. Each output has
   one task per partition; ``persist`` and ``compute`` are left to the caller.
"""
