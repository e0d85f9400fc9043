import { describe, it } from 'vitest';
import { fuzzRuns } from '../../fuzz/settings.js';
import { propertyCertificateParserNeverThrows, propertyChangedSignedFieldsNeverVerify, propertyMutatedSnsBodiesNeverVerifyChangedContent, propertyRequestParserNeverThrows } from './fuzz-properties.js';

const RUNS = fuzzRuns();

describe('lifecycle hook inputs under fuzzing', () => {
  it('arbitrary bodies never throw, and any event they yield is well formed', () => {
    propertyRequestParserNeverThrows(RUNS);
  });

  it('mutated real certificates and arbitrary text never make the certificate parser throw', () => {
    propertyCertificateParserNeverThrows(RUNS);
  });

  it('mutated real SNS bodies never verify with changed signed content', async () => {
    await propertyMutatedSnsBodiesNeverVerifyChangedContent(RUNS);
  });

  it('real SNS messages with any signed field changed never verify', async () => {
    await propertyChangedSignedFieldsNeverVerify(RUNS);
  });
});
