export { AsnConvert, AsnParser } from '@peculiar/asn1-schema';
export { BasicConstraints, Certificate, SubjectAlternativeName, id_ce_subjectAltName } from '@peculiar/asn1-x509';
export { SignedData } from '@peculiar/asn1-cms';
export { CertificationRequest } from '@peculiar/asn1-csr';
