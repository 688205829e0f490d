// Training and every seeded model constructor reseed libtorch's process-wide generator, and libtorch already uses
// both cores for one test's tensors: tests run one at a time, so no test draws from the generator mid-way through
// another's bit-for-bit comparison.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
