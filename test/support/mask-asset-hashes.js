// Snapshot serializer: asset hashes change with every dependency bump; mask them so snapshots
// guard the template's shape, not the bytes of bundled code.
const HASH = /[0-9a-f]{64}/;
const HASHES = /[0-9a-f]{64}/g;
module.exports = {
  test: (value) => typeof value === 'string' && HASH.test(value),
  serialize: (value, config, indentation, depth, refs, printer) =>
    printer(value.replace(HASHES, '[ASSET-HASH]'), config, indentation, depth, refs),
};
