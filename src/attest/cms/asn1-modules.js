// The ASN.1 classes src/ uses, behind asn1-libraries.ts's getter (see there why this is loaded
// with `require` on first use, and why it is JavaScript: Node's require loads .js, not .ts).
export { AsnConvert, AsnParser } from '@peculiar/asn1-schema';
export { BasicConstraints, Certificate, SubjectAlternativeName, id_ce_subjectAltName } from '@peculiar/asn1-x509';
export { SignedData } from '@peculiar/asn1-cms';
export { CertificationRequest } from '@peculiar/asn1-csr';
