// generated, do not edit: run `npx tsx scripts/gen-aws-certs.ts` to regenerate.
// Source: ../shared/vectors/aws/certs/{rsa2048,rsa1024}/<region>.pem, the AWS regional
// certificates published in the EC2 User Guide ("Verify the instance identity document"),
// as collected by spiffe/spire; provenance in ../shared/vectors/aws/README.md. Only what
// verification and the expiry report read is kept; the certificates themselves are not shipped.

/** One region's certificate, reduced to its key and expiry. */
export interface AwsCertificateFacts {
  /** Index into AWS_PUBLIC_KEYS. */
  readonly key: number;
  /** The certificate's notAfter (RFC 3339): reported by the expiry test, never enforced. */
  readonly notAfter: string;
}

/** A certificate that signs PKCS7, with how a SignerInfo `sid` names it (RFC 5652 §5.3). */
export interface AwsPkcs7CertificateFacts extends AwsCertificateFacts {
  /** Index into AWS_CERTIFICATE_ISSUERS. */
  readonly issuer: number;
  /** Contents octets of the serialNumber INTEGER, hex. */
  readonly serialNumber: string;
  /** The subjectKeyIdentifier extension, hex, when the certificate has one. */
  readonly subjectKeyIdentifier?: string;
}

/** Every distinct key, as DER SubjectPublicKeyInfo (base64); all RSA. */
export const AWS_PUBLIC_KEYS: readonly string[] = [
  "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAy7/WHBBHOrk+20aumT07g8rxrSM0UXgki3eYgKauPCG4Xx//vwQbuZwIoeVmR9nqnhfij2wOcQdbLandh0EGtbxerete3IoXzd1KXJb11PVmzrzyu5SPBPuPiCeV4qdjjkXo2YWM6t9YQ911hcG96YSp89TBXFYUh3KLxfqAdTVhuC0NRGhXpyiij/czo9njofHhqhTr7UEyPun8NVS2QWctLQ86N5zWR3Q0GRoVqqMrJs0cowHTrVw29Qr7QBjjBOVbyYmtYxm/DtiKprYV/e6bCAVok015X1sZDd3oCOQNoGlv5XbHJe2oJFD8GRRy2rkWO/lNwVFDcwec6zC3QwIDAQAB",
  "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA4T1PNsOg0FDrGlWePoHeOSmOJTA3HCRy5LSbYD33GFU2eBrOIxoU/+SMrInKu3GghAMfH7WxPW3etIAZiyTDDU5RLcUq2Qwdr/ZpXAWpYocNc/CEmBFtfbxFz4uwBIN3/drM0RSbe/wP9EcgmNUGQMMZWeAji8sMtwpOblNWAP9BniUG0Flcz6DpuPovwDTLdAYT3TyhzlohKL3f6O48TR5yTaV+3Ran2SGRhyJjfh3FRpP4VC+z5LnTWPQHN74Kdq35UgrUxNhJraMGCzznolUuoR/tFMwR93401GsM9fVA7SW3jjCGF81zPSzjy+ArKyQqIpLW1YGWDFk3sf08FQIDAQAB",
  "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA91FXs9Wk9kMI3lkNhjC69C6RTBpSvdLWSohPDlJKXFoaGYIDtyW1ViwOFORAKz0koarVBx1D4fNKCxf+mhYAf//4Pxt31GzjehHNs2YVGimwhq/SNr+3AuIOPibA+qScXamaiknE1Pxb4jisbBu2PMAG9OxU2dESNwiqBMvdJvg30YNTUITZ6r0eMPjR1Y/EFVx/SLHW6wdvwqhNi9hz8HHdThzjCbCQPvmoLBJIKXIfosKqvauSezt1KJSoS2jMx1OjJB2bBlQTZC8vF0WFNPoiH4jXyJ6+wMUMNSSd5b3uL5stVTMzuIz439Hd5YW41rmAy+6jmpGp2eXn6Td0rQIDAQAB",
  "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAz0djWUcmRW85C5CiCKPFiTIvj6y2OuopFxNE5d3Wtab10bm06vnXVKXutz3AndG+Dg0zIL0gMlU+QmrSR0PH2PfV9iejfLak9iwdm1WbwRrCEAj5VxPe0Q+IKeznOtxzqQ5Wo5NLE9bA61sziUAFNVsTFUzphEwRohcekYyd3bBC4v/RuAjCXHVx40z6AIksnAOGN2VABMlTeMNvPItKOCIeRLlllSqXX1gbtL1gxSW40JWdF3WPB68Ee+/1U3F7OEr7XqmNODOL6yh92QqZ8fHjG+afOL9Y2Hc4g+P1nk4w4iohQOPABqzbMPjK7B2Rze0f9OEc51GBQu13kxkWWQIDAQAB",
  "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA66iNv6pJPmGM20W8HbVYJSlKcAg2vUGx8xeAbzZIQdpGfkabVcUHGB6mGy59VXDMDlrJckDDk6dxUOhmcX9z785TtVZURq1fua9QosdbTzX4kAgHGdp4xQEsmO6QZqg5qKjBP6xr3+PshfQ1rB8Bmwg0gXEm22CC7o77+7N7Mu2sWzWbiUR7vil49FjWS8XmMNwFTlShp4l1TDTevDWW/uYmC30RThM9S4QPvTZ0rAS18hHVam8BCTxaLHaVCH/Yy52rsz0hM/FlghnSnK105ZKj+b+KIp3adBL8OMCjgc/Pxi0+j3HQLdYE32+FaXWU84D2iP2gDT28evnstzuYTQIDAQAB",
  "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEArznEYef8IjhrJoazI0QGZkmlmHm/4rEbyQbMNifxjsDE8YWtHNwaM91zzmyK6Sk/tKlWxcnl3g31iq305ziyFPEewe5Qbwf1iz2cMsvfNBcTh/E6u+mBPH3JgvGanqUJt6c4IbipdEouIjjnynyVWd4D6erLl/ENijeR1OxVpaqSW5SBK7jms49Epw3wtbchEl3qsE42Ip4IYmWxqjgaxB7vps91n4kfyzAjUmklcqTfMfPCkzmJCRgpVh1C79vRQhmriVKD6BXwfZ8tG3a7mijeDn7kTsQzgO07Z2SAE63PIO48JK8HcObHtXORUQ/XF1jzi/SIaUJZT7kq3kWl8wIDAQAB",
  "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA0LSS5I/eCT2PM0+qusorBx67QL26BIWQHd/yF6ARtHBb/1DdFLRqE5Dj07Xw7eENC+T79mOxOAbeWg91KaODOzw6i9I/2/HpK0+NDEdD6sPKDA1d45jRra+vCqAjI+nV9Vw91wv7HjMk3RcjWGziM8/hw+3YNIutt7aQzZRwIWlBpcqx3/AFd8Eu2UsRMSHgkGUW6UzUF+h/U8218XfrauKNGmNKDYUhtmyBrHT+k6J0hQ4pN7fe6h+Zw9RVHm24BGhlLxLHLmsOIxvbrF277uX9Dxu1HfKfu5D2kimTY7xSZDNLR2dt+kNY/+iWdIeEFpPT0PLSILt52wP6stF+3QIDAQAB",
  "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAg29QEFriG+qFEjYW/v62nN70lMJY/Hevx5TtmU/VIYBPQa3HUGTBAbbI2Tmy8UMpa8kZeaYeI3RAfiQWt0Ws7wUrBuO2Pdp518WDPaJUH7RWEuu1BDDkyZRWNAMNPCn3ph7Od243IFcLGku7HVekel5poqRpSfojrMasjlf+CvixUeAJbmFoxUHKkh5unzG2sZyO4wHXcJPQkRf5a8zSTPe9YZP1kXPPEv4p/jTSggaYPxXyS6QVaTlVzLeLFZ0fesLPMeil3KYQtV7IKLQiEA2F6dxWnxNWQlyMHtdq6PucfEmVx17i/XzayNBRo0azY8WUNVkEXrRhp/pU8Nh3GQIDAQAB",
  "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAlaSSLfBl7OgmikjLReHuNhVuvM20dCsVzptUyRbut+KmIEEc24wd/xVy2RMIrydGedkW4tUjkUyOyfET5OAyT43jTzDPHZTkRSVkYjBdcYbe9o/0Q4P7IVS3XlvwrUu0qo9nSID0mxMnOoF1l8KAqnn10tQ0W+lNSTkasW7QVzcb+3okPEVhPAOqMnlY3vkMQGI8zX4iOKbEcSVIzf6wuIffXMGHVC/JjwihJ2USQ8fq6oy686g54P4wROg415kLYcodjqThmGJPNUpAZ7MOc5Z4pymFuCHgNAZNvjhZDA842Ojecqm62zcmTzh/pNMNeGCRYq2EQX0aQtYOIj7bOQIDAQAB",
  "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAmRcyLWraysQS8yDC1b5Abs3TUaJabjqWu7d5gHik5Icd6dKl8EYpQSeSvz6pLhkgO4xBbCRGlgE8LS/OijcZ5HwdrxBiKbicR1YvIPaIyEQQvF5sX6UWkGYwMa5IRGj4YbRmJkBybw+AAV9Icb5LJNOMWPi34OWM+2tMh+8L234v/JA6ogpdPuDrsM6YFHMZ0NWo58MQ0FnEj2D7H58Ti//vFPl0TaaPWaAIRF85zBiJtKcFJ6vPidqKf2/SDuAvZmyHC8ZBHg1moX9bR5FsU3QazfbW+c+JzAQWHj2AaQrGSCITxCMlS9sJl51DeoZBjnx8cnRe+HCaC4YoRBiqIQIDAQAB",
  "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAvUsKCxoH6KXRYJLeYTWAQfaBQeCwhJaR56mfUeFHJE4g8aFjWkiN4uc1TvOyYNnIZKTHWmzmulmdinWNbwP0GiROHb/i7ro0HhvnptyycGt8ag8affiIbx5X7ohdwSN2KJ6G0IKflIx7f2NEI0oAMM/9k+T1eVF+MVWzpZoiDp8frLNkqp8+RAgzScZsbRfwv3u/if5xJAvdg2nCkIWDMSHEVPoz0lJo7v0ZuDtWWsL1LHnL5ozvsKEk+ZJyEi23r+U1hIT1NTBdp4yoigNQexedtwCSr7q36oOdDwvZpqYlkLi3uxZ4ta+a01pzOSTwMLgQZSbKWQrpMvsIAPrxoQIDAQAB",
  "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA2BYgeCr+Rk/jIAEDOHS7wJql62vc83QEwjuzk0qOFEReIZzlN1fBRNXKg0T178Kd3gLYcE59wEFbTe/X5yOA1Lo95x1anSAo7R+Cisf9C2HQuJp+gVb+zx71lniPF7gHziGpm0M8DdAU/IW+wkZwGbP4z7Hq9+bJ0P2ltvPJ5yxSgkFuDsI9VBHaCLoprHsCHh2VdP8KcMgQQMmHe1NmBpyTk0ul/aLmQkCQEX6ZIRGOeq228fwlh/t+Ho+jv87duihVKic6MrL32SlD+maX0LSDUydWdaOLLTGkh7oV7+bFuH6msrXUu+UrZEP1r/MidCWMhfgrFzeTBzOHA97qxQIDAQAB",
  "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAt3aMy7Hsp4ySG3mlfi+pdTcZw6H6XNU1Y36fNdi4c+MzinQQbnqMPyt7QLgU+XCWmcWsVo7GQF6n9N01Rh+UXXUZU4jcXlFocQPCWf9O+IIIIPXkd67kFMUVHAxCELjfxHbC+I8e7dwOJhmdF4Bfi52Ty8zz0HdE8JDypPkTDlXuGvTgDyW7NP56I/vlQaXLoYSbcQe5pv2a9gyBaaCM1QoeqwAHAeCNXb9Nuj9ZX3GHGJb3TuqAeKCD5i9TscCB9XjY6Fx+zfSAobjBZwgLEtLOwJhbZnKmx4gJMaaNFipAjVT2FSS3+yeveTYBoa1dvhk0ivQyQIPpHmihrmkWuwIDAQAB",
  "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEArbid9Tnunu0pWCQUqZCkGeiF8hWixi+LBS1AOew2UsT9keAt2rXXGlU/wSMriKHsvcrfKtuVKj5chArsOyFvagszH5lIKhI+GfWVQEd2aZiOvAJ+iRUQq1+RgOr2gyjWlf3znZXTcyhHcJoXDhbn5e+kEa3pwS4yKNRpM3P61V4M2702xis08hjPqMDxwXMa1Fiy4b7nAyNQifgrwb3bCA5k5prmkl/iajaWa1zMMFgLI9vA6UwUSbTKH9iOuL/xNfMX+Xzq4CCaQYiJ8zdi56kqnB/lrA05NSjOPLskg6sUGkyiDxGK4gzCDFrO6oygcdlBaxnyAECGdJcOM6TOmwIDAQAB",
  "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAxtMGK4r6WerVtMfpRRCY3DMP9Q/s4jnRIqolPaxeT99BAFp03HXyOrTzWjggEHArRGGeDowFkL7Vj+QNY7ran2lnYVlAQ7Ow6OLl6WttT6lMsgsLUIcsED6GeJ1Ko+ovT1qvmuush1U5R2pHkcCJ1IT2s6uQff85l066K7dCFpaoA1QHUk9zACHji0DtWuTAWBXirAZSGlmtP6uj1Aw6y5kACDTjIvZJeW/kmswfApTKaJ56eNkJsUBUNpKwt3um1BMZduy0cjUv0Sc3dIbLNyfOdyPn8tX5u5ck0EPdtBB5WjEh71IXdZJDoaBREV7AHg5ERPQsm0BqSvMQt09KiwIDAQAB",
  "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAhDUh6j1ACSt057nSxAcwMaGr8Ez87VA2RW2HyY8l9XoHndnxmP50Cqld+26AJtltlqHpI1YdtnZ6OrVgVhXcVtbvte0lZ3ldEzC3PMvmISBhHs6A3SWHA9lnInHbToLX/SWqBHLOX78HkPRaG2k0COHpRy+fG9gvz8HCiQaXCbWNFDHZev9OToNIxhXBVzIa3AgUnGMalCYZuh5AfVRCEeALG60kxMMC8IoAN7+HG+pMdqAhJxGUcMO0LBvmTGGeWhi04MUZWfOkwn9JjQZuyLg6B1OD4Y6s0LB2P1MovmSJKGY4JcF8Qu3zxxUbl7Bh9pvzFR5gJN1pjM2n3gJEPwIDAQAB",
  "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA1GP5os424BJmGPCKOSgOclP7lzUiB85du03M4hfjzSOszsBpmBGFDLz1owYHtIxlq3+Vi1Lt5Qlx3id/ov1QyaBPFWXVeklHVXy9vieCcI3TdjGjTl1W/8MMm3X26QPcsnHM/Kk2wJ7s186MrqmdSsp3SCPpxv4vEG2Q9yR2bXY41hpc2rWlW8qUD0JGXluvmmAdFnto20l1XWZ6xFen1h60DRugek/ufCbN+ljKy0xLqPoavH0YbjsbUpsAsBs7phaoN+X/5hIERfbp5LfVnqq54pNG5KNu4KynfW9+kA/WS4cJ6FTTN5t+y0P1HvcL+BL2RuDy6T2bB21xw5WqtQIDAQAB",
  "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAvVBz+WQNdPiM9S+aUULOQEriTmNDUrjLWLr7SfaOJScBzis5D5ju0jh1+qJdkbuGKtFX5OTWTm8pWhInX+hIOoS3exC4BaANoa1A3o6quoG+Rsv72qQf8LLHsgEi6+LMlCN9TwnRKOToEabmDKorss4zFl7VSsbQJwcBSfOcIwbdRRaW9Ab6uJHu79L+mBR3Ea+G7vSDrVIA8goAPkae6jY9WGw9KxsOrcvNdQoEkqRVtHo4bs9fMRHUEtphj2gh4ObXlFN92VtvzD6QBs3CcoFWgyWGvzg+dNG5VCbsiiuRdmii3kcijZ3HNv1wCcZoEAqH72etVhsuvNRC/xAP8wIDAQAB",
  "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAsOiGi4A6+YTLzCdIyP8b8SCT2M/6PGKwzKJ5XbSBoL3gsnSWiFYqPg9cuJPNbiy9wSA9vlyfWMd90qvTfiNrT6vewP813QdJ3EENZOx4ERcf/Wd22tV72kxDyw1Q3I1OMH4bOItGQAxU5OtXCjBZEEUZooOkU8RoUQOU2Pql4NTiUpzWacNutAn5HHS7MDc4lUlsJqbN+5QW6fFrcNG/0Mrib3JbwdFUNhrQ5j+Yq5h78HarnUivnX/3Ap+oPbentv1qd7wvPJu556LZuhfqI0TohiIT1Ah+yUdN5osoaMxTHKKtf/CsSJ1Fw3qXqFJQA0VWsqjFyHXFI32I/GOupwIDAQAB",
  "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAka8FLhxs1cSJGK+Q+q/vTf8zVnDAPZ3U6oqppOW/cupCtpwMAQcky8DYYb62GF7+C6usniaq/9W6xPn/3o//wti0cNt6MLsiUeHqNl5H/4U/Q/fR+GA8pJ+LnpqZDG2tFi1WMvvGhGgIbScrjR4VO3TuKy+rZXMYvMRk1RXZ9gPhk6evFnviwHsEjV5AEjxLz3duD+u/SjPp1vloxe2KuWnyC+EKInnka909sl4ZAUh+qIYfZK85DAjmGJP4W036E9wTJQF2hZJrzsiB1MGyC1WI9veRISd30izZZL6VVXLXUtHwVHnVASrSzZDVpzj+3yD5hRXsvFigGhY0FCVFnwIDAQAB",
  "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAyn+Lsnq1ykrfYlZkk6aAAYNReNd9Iw8AUwCBkgOr2eBiBBepYxHwU85N++moQ+j0EV2VaahBeTLShGZZS1HsyK8+cYT2QzpghIoamcYhrPXyIxlWiRQlaqSgOFiE9bsqL3rCF5Vz+tOiTe5W/7ojfOFls6++g7ZpobwJlpMbuJepqyeHMPyjvO5Aage81lJewc4bxo2ntaW0HCqNksqfYB78j6X6kn3PFpX7FaYAwZA+Xx6C7UCY7rNiUdQzfAo8htfJi4chz7frpUdQ9kl3IOQrsLshBB5fFUjl09NiFipCGBwi+8ZMeSn15qwBI01BWXPfG7WX6Owyjhmh6JtE1wIDAQAB",
  "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAzwCGJEJIxqtr2PD2a1mA6LhRzKhTBa1AZsg3eYfpETXIVlrpojMfvVoNqHvGshWLgrGTT6os/3gsaADheSaJKavxwX3X6tJA8fvEGqr3a1C1MffH9hBWbQqCLbfUTAbkwis4GdTUwOwPjT1Cm3u9R/VzilCNwkj7iQ65AFAI8Enmsw3UGldEsop4yChKB3KW3WI0FTh0+gD0YtjrqqYJxpGOYBpJp5vwdd3fZ4t1vidmDMs7liv4f9Bxp0oSmUobU4GUlFhBchK1DukICVQdnOVzdMonYm7s+HtpFbVHR8yf6QoixBKGdSalmBf7+y0ixjCn0pnC0VLVooGo4mi17QIDAQAB",
  "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAv1ZLV+Z/P6INq+R1qLkzETBg7sFGKPiwHekbpuB6lrRxKHhj8V9vaReMlnv1Ur5LAPpMPYDsuJ4WoUbPYAqVqyMAo7ikJHCCM1cXgZJefgN6z9bpS+uA3YVhV/0ipHh/X2hc2S9wvxKWiSHu6Aq9GVpqL035tJQD+NJuqFd+nXrtcw4yGtmvA6wl5Bjn8WdsP3xOTKjrByYY1BhXpP/f1ohU9jE9dstsRXLa+XTgTPWcWdCS2oRTWPGRc5Aeh47nnDsyQfP9gLxHeYeQItV/BD9kU/2Hn6mnRg/B9/TYH8qzlRTzLapXp4/5iNwusrTNexGl8BgvAPrfhjDpdgYuTwIDAQAB",
  "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAuAAhuSpsHC00/fD2zNlBDpNLRndi9qbHsNeuz3WqN7Samj2aSrM2hS+ihUxx0BspZj0tZCOsbpPZ+i74NOEQtFeqQoEGvKhB1nJiF4y5I81HDhs5qHvoIivm7rbbik3zgm1PqS/DmDjVQaXPcD31Rd9ILwBmWEwJqHigyNVlxYtCzTQcrlBrvNZMdnNgCDAdX/HBEFxx9O12xeu0bSt0s+PJWZ1RTbYrNe7LIH6ntUqHxP/ziQ5trXEZuqy7aWk1L8uK4jmyNph0lbaqBa3Y6pYmU1nC27UE4i3fnPB0LSiAr+SrwVvX1g4zilo8kr+tbIF+JmcgYLBvO8Jwp+EUqQIDAQAB",
  "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAjE7nVu+aHLtzp9FYV25Qs1mvJ1JXD7J0iQ1Gs/RirW9a5ZECCtc4ssnfzQHq2JRVr0GRchvDrbm1HaP/avtFQR/Thvfltwu9AROVT22dUOTvERdkNzveoFCyhf52Rqf0DMrLXG8ZmQPPXPDFAv+sVMWCDftcChxRYZ6mP9O+TpgYNT1krD5PdvJU7HcXrkNHDYqbsg8A+Mu2hzl0QkvUET83Csg1ibeK54HP9w+FsD6F5W+6ZSHGJ88lFI+qYKs7xsjJQYgXWfEt6bbckWs1kZIaIOyMzYdPF6ClYzEec/UhIe/uJyUUNfpTVIsI5OltBbcPF4c7Y20jOIwwI2SgOQIDAQAB",
  "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEArYS3mJLGaMrh2DmiPLbqr4Z+xWXTzBWCjOwpsuHE9H6dWUUyl2Bgnu+Zd8QvW306Yleec45M4F2RA3J4hWHtShzsMlOJVRt+YulGeTf9OCPr26QmIFfs5nD4fgsJQEry2MBSGA9Fxq3Cw6qkWcrOPsCR+bHOU0XykdKl0MnIbpBf0kTfciAupQEAdEHnM2J1L2iI0NTLBgKxy5PXLH9weX20BFauNmHH9/J07OpwL20SN5f8TxcM9+pjLbk8h1V4KdIwVQpdWkbDL9BCGlYjyadQJxSxz1J343NzrnDM0M4h4HtVaKOS7bQoBqt2ruopLRCYgcuFHck/1348iAmbRQIDAQAB",
  "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAy5V7KDqnEvF3DrSProFcgu/oL+QYD62b1U+Naq8aPuljJe127Sm9WnWAEBdOSASkOaQ9fzjCPoG5SGgWKxYoZjsevHpmzjVv9+Ci+F57bSuMbjgUbvbRIFUBbxQojVoXQPHgK5v433ODxkQ4sjRyUbf4YV1AFdfU7zabC698YgPVOExGhXPlTvco8mlc631ubw2g52j0lzaozUkHPSbknTomhQIvO6kUfX0e0TDMH4jLDG2ZIrUB1L4rOWKG4KetduFrRZyDHF6ILZu+s6ywiMicUd+2UllDFC6oas+a8D11hmO/rpWU/ieVjj4rWAFrsebpn+Nhgy96iiVUGS2LuQIDAQAB",
  "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAr24OkDrpRU1ffx1PAcHZbKu7fZkhfT/e/PDhSkp2FvOzJEqDUT23E2wpK/44mhJ3d8blYtgBiRXjqRsAFu8ZbzXLc0gaQ9A5woxfx5b7iOMwneCajS9xS5qrcE0MMEY9XwG8MCp9YBoDJqDJh74oQqcPROBq16L4k2Ys22n1khus4JpwT7VSRE1Innt7fGIYsUmNGM+T2E6ubG3FvkY0HbLvNCcGRMCnDYqloo2BthuSG58KbMAku7VDhMxzzJte5yMuRpHBojQr9N0hZcSJCtSFo6FhlxCzxGzwoSKzqm99ULYL4lf+IOReDaKoATZJvbnX0LYAKLtPr1Pz9SD9pQIDAQAB",
  "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA13PkyWvl61iV/SYfO1UFO76UpDfPm2SF/Rz/o33cm699X++EYPxTnoEcvmWeS0I7eDXc4OCUiToG0sEx0klE0CX1Z1tK6qJ+zgWQLZ9SZEC9H0NsSA6LhrHuNq0dzeK3LjhdfcX46/4GqdiptpdTuM4m/hOQ5yx4JMQ/n1sdpv4M5VLRWwWW9Lemufb79Id7O9SispxgRsz1KXIjp7N9S4BY7itSXz97uSyzTqEjWZ6mDUhTu3t21GKC6flALGTTrG2yghEhz53rkvLsvwzjPSSlT6LIf0mrRPzHaf+EdaKoasElE1SHh+ZH9mI81HywpE+HZ+W+5hBCvjYp90Y1fwIDAQAB",
  "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEApybTWfMOhSoMpqPo72eqAmnn1dXGZM+G8EoZXzwHwT/+IHEXNB4q5N6ktudYLre1bJxuzEw+iProSHjmb9bB9YscRTofjVhBlt35Fc+i8BaMeH94SR/eE8QOmll8gnLNW3d62lyuhzuyv1e5wVlRqzYw+X2zRH4/wRDOCOpzjKoHIgyPKsMgwsw5aTZhNMsGxZN9dbkf0iCGeQLDytwU/JTh/HqvSr3VfUOapTJJiyAxoCtZWgp1/7wCRvOCSMRJobpUqxZgl/VsttwNkikSFz1wGkcYeSQvk+odbnYQckA8tdddoVI56eD4qtREQvfpMAX5v7fcqLexl5d5vH8uZQIDAQAB",
  "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAy4Vnit2eBpEjKgOKBmyupJzJAiT4fr74tuGJNwwa+Is2vH12jMZn9Il1UpvvEUYTIboIgISpf6SJ5LmV5rCv4jT4a1Wm0kjfNbiIlkUi8SxZrPypcw24m6keBVuxQZrZDs+xDUYIZifTmdgD50u5YE+TLg+YmXKnVgxBU6WZjbuK2INohi71aPBw2zWUR7Gr/ggIpf635JLU3KIBLNEmrkXCVSnDFlsK4eeCrB7+UNak+4BwgpuykSGGOp9+2vsuNqFeU1l9daQeG9roHR+4rIWSPa0opmMxv5nctgypOrE6zKXx2dNXQlddVULv+WH7s6Vm4+yBeG8ctPYH5GOo+QIDAQAB",
  "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA13xWucALo8M/TXbZJgHrqFqFON91dSLPE/eLbmeIJbP1pb9ICd33qKAxHlKSrXI9b9YS3U1Pl0bF3ZgfeE/x4Y0KDDZwzpf07H8IgRittULJoNLYVKCJXWPqKy1qvDJX3653dUbUu9eAdVCTRgk7eKpPBLAmW27+pgAGzEYrVV3u2AvqNTonvfTUsPgEVnAL1J490pNM85KtFynxFTWGigHkd3BHidxmLrTH4I4eRxNZ9q/3gsDW+zKtjQlpM7JzZa2OqxsF5YQDh1fF52Emqsr+ufLeGqDLOgT1QWcqpz57AX8GqZpgZULoitCRNXbQDzZY9FxIgpiFJv3y/qYYDQIDAQAB",
  "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAw45IhGZVbQcy1fHBqzROhO8CsrDzxj/WP4cRbJo/2DAnimVrCCDs5O86FA39Zo1xsDuJHDlwMKqeXYXkJXHYbcPWc6EYYAnR+PlLG+aNSOGUzsy202S03hT0B20hWPCqpPp39itIRhG4id6nbNRJOzLm6evHuepMAHR4/OV7hyGOiGaV/v9zqiNApMCLhbh2xk0PO35HCVBuWt3HUjsgeks2eEsu9Ws6H3JXTCfiqp0TjyRWapM29OhAcRJfJ/d/+wBTz1fkWOZ7TF+EWRIN5ITEadlDTPnF1r8kBRuDcS/lIGFwrOOHLo4CcKoNgXkhTqDDBDu6oNBb2rS0K+sz3QIDAQAB",
  "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAjS2vqZu9mEOhOq+0bRpAbCUiapbZMFNQqRg7kTlr7Cf+gDqXKpHPjsngSfNz+JHQd8WPI+pmNs+q0Z2aTe23klmf2U52KH9/j1k8RlIbap/yFibFTSedmegXE5r447GbJRsHUmuIIfZTZ/oRlpuIIO5/Vz7SOj22tdkdY2ADp7caZkNxhSP915fk2jJMTBUOzyXUS2rBU/ulNHbTTeePjcEkvzVYPahD30TeQ+/A+uWUu89bHSQOJR8hUm4cFApzZgN3aD5j2LrSMu2pctkQwf9CaWyVznqrsGYjYOY66LuFzSCXwqSnFBfvfFBAFsjCgY24G2DoMyYkF3MyZlu+rwIDAQAB",
  "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA6v6kGMnRmFDLxBEqXzP4npnL65OO0kmQ7w8YXQygSdmNIoScGSU5wfh9mZdcvCxCdxgALFsFqPvH8fqiE9ttI0fEfuZvHOs8wUsIdKr0Zz0MjSx3cik4tKETch0EKfMnzKOgDBavraCDeX1rUDU0Rg7HFqNAOry3uqDmnqtk00XC9GenS3z/7ebJfIBEPAam5oYMVFpX6M6St77WdNE8wEU8SuerQughiMVx9kMB07imeVHBiELbMQ0NlwSWRL/61fA02keGSTfSp/0m3u+lesf2VwVFhqIJs+JbsEscPxOkIRlzy8mGd/JVONb/DQpTedzUKLgXbw7KtO3HTG9iXQIDAQAB",
  "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAva9xsI9237KYb/SPWmeCVzi7giKNron8hoRDwlwwMC9+uHPd53UxzKLbpTgtJWAPkZVxEdl2Gdhwr3SULoKcKmkqE6ltVFrVuPT33La1UufguT9k8ZDDuO9ChQNHUdSVEuVrK3bLjaSsMOS7Uxmnn7lYT990IReowvnBNBsBlcabfQTBV04xfUG0/m0XUiUFjOxDBqbNzkEIblW7vK7ydSJtFMSljga54UAVXibQt9EAIF7B8k9l2iLamu9yEjyQy+ZQICTuAvPUEWe6va2CHVY9gYQLA31/zU0VBKZPTNExjaqK4j8bKs1/7dOV1so39sIGBz21cUBec1o+yCS5SwIDAQAB",
  "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAzIcGTzNqie3f1olrrqcfzGfbymSM2QfbTzDIOG6xXXeFrCDAmOq0wUhi3fRCuoeHlKOWAPu76B9os71+zgF22dIDEVkpqHCjBrGzDQZXXUwOzhm+PmBUI8Z1qvbVD4ZYhjCujWWzrsX6Z4yEK7PEFjtf4M4W8euw0RmiNwjy+knIFa+VxK6aQv94lW98URFP2fD84xedHp6ozZlr3+RZSIFZsOiyxYsgiwTbesRMI0Y7LnkKGCIHQ/XJOwSISWaCddbu59BZeADnyhl4f+pWaSQpQQ1DpXvZAVBYvCH97J1oAxLfH8xcwgSQ/se3wtn095VBt5b7qTVjOvy6vKZazwIDAQAB",
  "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEApHQGvHvq3SVCzDrC7575BW7GWLzcj8CLqYcL3YY7Jffupz7OjcftO57Z4fo5Pj0CaS8DtPzh8+8vdwUSMbiJ6cDd3ooio3MnCq6DwzmsY+pY7CiI3UVG7KcH4TriDqr1Iii7nB5MiPJ8wTeAqX89T3SYaf6Vo+4GCb3LCDGvnkZ9TrGcz2CHkJsjAIGwgopFpwhIjVYm7obmuIxSIUv+oNH0wXgDL029Zd98SnIYQd/njiqkzE+lvXgk4h4Tu17xZIKBgFcTtWPky+POGu81DYFqiWVEyR2JKKm2/iR1dL1YsT39kbNg47xYaR129sS4nB5Vw3TRQA2jL0ToTIxzhQIDAQAB",
  "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA02Y59qtAA0a6uzo7nEQcnJ26OKF+LRPwZfixBH+EbEN/Fx0gYy1jpjCPs5+VRNg6/WbfqAsV6X2VSjUKN59ZMnMY9ALA/Ipz0n00Huxj38EBZmX/NdNqKm7CqWu1q5kmIvYjKGiadfboU8wLwLcHo8ywvfgI6FiGGsEO9VMC56E/hL6Cohko11LWdizyvRcvg/IidazVkJQCN/4zC9PUOVyKdhW33jXy8BTg/QH927QuNk+ZzD7HH//ytIYxDhR6TIZsSnRjz3bOcEHxt1nsidc65mY0ejQty4hy7ioSiapw316mdbtE+RTNfcH9FPIFKQNBpiqfAW5Ebp3Lal3/+wIDAQAB",
  "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDFd571nUzVtke3rPyRkYfvs3jh0C0EMzzG72boyUNjnfw1+m0TeFraTLKb9T6F7TuB/ZEN+vmlYqr2+5Va8U8qLbPF0bRH+FdaKjhgWZdYXxGzQzU3ioy5W5ZM1VyB7iUsxEAlxsybC3ziPYaHI42UiTkQNahmoroNeqVyHNnBpQIDAQAB",
  "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC1kkHXYTfc7gY5Q55JJhjTieHAgacaQkiRPity9QPDE3b+NXDh4UdP1xdIw73JcIIG3sG9RhWiXVCHh6KkuCTqJfPUknIKk8vsM3RXflUpBe8Pf+P92pxqPMCz1Fr2NehS3JhhpkCZVGxxwLC5gaG0Lr4rFORubjYYRh84dK98VwIDAQAB",
  "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDVdclgpcIIsyGG51ag8srK1UMfZ+Ioh9E4PLP+cIWQcdh31fv2kV/whKaqfmifNefBIuHrTPl6L+mJQbsfeA+TiEx1Jamg4lwQfhgQKQCmjZVMaHtK+AY57TVN6FBfHXxT2MXzktsKxAQRGeSTFQYrHRzSYvu+GkA+37lqyWRfcwIDAQAB",
  "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQCHvRjf/0kStpJ248khtIaN8qkDN3tkw4VjvA9nvPl2anJO+eIBUqPfQG09kZlwpWpmyO8bGB2RWqWxCwuB/dcnIob6w420k9WY5C0IIGtDRNauN3kuvGXkw3HEnF0EjYr0pcyWUvByWY4KswZV42X7Y7XSS13hOIcL6NLA+H94/QIDAQAB",
  "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDTwHu0ND+sFcobrjvcAYm0PNRD8f4R1jAzvoLt2+qGeOTAyO1Httj6cmsYN3AP1hN5iYuppFiYsl2eNPa/CD0Vg0BAfDFlV5rzjpA0j7TJabVh4kj7JvtD+xYMi6wEQA4x6SPONY4OeZ2+8o/HS8nucpWDVdPRO6ciWUlMhjmDmwIDAQAB",
  "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQCnCS/Vbt0gQ1ebWcur2hSO7PnJifE4OPxQ7RgSAlc4/spJp1sDP+ZrS0LO1ZJfKhXf1R9S3AUwLnsc7b+IuVXdY5LK9RKqu64nyXP5dx170zoL8loEyCSuRR2fs+04i2QsWBVP+KFNAn7P5L1EHRjkgTO8kjNKviwRV+OkP9ab5wIDAQAB",
  "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDHezwQr2VQpQSTW5TXNefiQrP+qWTGAbGsPeMX4hBMjAJUKys2NIRcRZaLM/BCew2FIPVjNtlaj6Gwn9ipU4Mlz3zIwAMWi1AvGMSreppt+wV6MRtfOjh0Dvj/veJe88aEZJMozNgkJFRS+WFWsckQeL56tf6kY6QTlNo8V/0CsQIDAQAB",
  "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDFuKydxZsordNH7bLwIluEGOkX7/CdLdpeqkDKEhQkFwzpRxaX4EAlkGh2/o7D8qneC9cGQhqSG5WVVBrmZG7sfkFOM4m1AtY++kfv+MYto1VFgLk1xJbkpq1r4YeQUl+ZsJYsZpyX/t+g8s7rW0OVcBsYx4L75bf34z38mwK8PQIDAQAB",
  "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC9AsBNOUfT8QpguHqMa9KIXP/YgZOmfRAgEmnLawXTC+40bXUq/fwkx+cebv3xCvUx6d07/iDlD0dm2Hf2HhPFi3OaCI7vc8c3lqVBvcn6yzmwv35aSEvtVm2NHC3j4/q6vN2tR2d4a1Mf1QhmOVOJ7XiTEbCy2Yv+pmDbk29V6QIDAQAB",
  "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQCajgAeOauwvqGDLrHvxujnZ1BnkMzwjrycMUTkj8jqNtWoDQWUJVNPZJILosEUVwK2I3oNkEsx/ryl9XfXcNNceoYfVEPzkTzozrZyuOG66FWtUU1LKeJ7h9/rX0Zd9lZEokrdr6dLPt9FsHWaK5ExlUnWBjNltcQLkkKqoeYaFwIDAQAB",
  "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDK1kIcG5Q6adBXQM75GldfTSiXl7tn54p10TnspI0ErDdb2B6q2Ji/v4XBVH13ZCMgqlRHMqV8AWI5iO6gFn2A9sN3AZXTMqwtZeiDdebq3k6Wt7ieYvpXTg0qvgsjQIovRZWaBDBJy9x8C2hW+w9lMQjFHkJ7Jy/PHCJ69EzebQIDAQAB",
  "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC6GFQ2WoBl1xZYH85INUMaTc4D30QXM6f+YmWZyJD9fC7Z0UlaZIKoQATqCO58KNCre+jECELYIX56Uq0lb8LRLP8tijrQ9Sp3qJcXiH66kH0eQ44a5YdewcFOy+CSAYDUIaB6XhTQJ2r7bd4A2vw3ybbxTOWONKdOWtgIe3M3iwIDAQAB",
  "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC2mdGdps5Rz2jzYcGNsgETTGUthJRrVqSnUWJXTlVaIbkGPLKO6Or7AfWKFp2sgRJ8vLsjoBVR5cESVK7cuK1wItjvJyi/opKZAUusJx2hpgU3pUHhlp9ATh/VeVD582jTd9IY+8t5MDa6Z3fGliByEiXz0LEHdi8MBacLREu1TwIDAQAB",
  "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQCjiPgW3vsXRj4JoA16WQDyoPc/eh3QBARaApJEc4nPIGoUolpAXcjFhWplo2O+ivgfCsc4AU9OpYdAPha3spLey/bhHPRi1JZHRNqScKP0hzsCNmKhfnZTIEQCFvspDRp4zr91/WS06/flJFBYJ6JHhp0KwM81XQG59lV6kkoW7QIDAQAB",
  "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDB/VvR1+45Aey5zn3vPk6xBm5o9grSDL6D2iAuprQnfVXn8CIbSDbWFhA3fi5ippjKkh3sl8VyCvCOUXKdOaNrYBrPRkrdHdBuL2Tc84RO+3m/rxIUZ2IK1fDlC6sWAjddf6sBrV2w2a78H0H8EwuwiSgttURBjwJ7KPPJCqaqrQIDAQAB",
  "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDShbskmohorgcjN7gfApw89CEsg7praCDggaUVXF6gy9JdJ5INcv7+DkwKaAxdNQWDsWZnxIOqPuPfyAYVP3D2/exP3Rfxj31UomLduu7S83zgiJ8VVL/GzlDELv5/K2rTcd+580NjLSa6FYDcXDip2ir6TXxRYBYHP65dwniE+wIDAQAB",
  "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDrc24u3AgFxnoPgzxR6yFXOamcPuxYXhYKWmapb+S8vOy5hpLoRe4RkOrY0cM3bN07GdEMlin5mU0y1t8y3ct4YewvmkgT42kTyMM+t1K4S0xsqjXxxS716uGYh7eWtkxrCihj8AbXN/6pa095h+7TZyl2n83keiNUzM2KoqQVMwIDAQAB",
  "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDcaTgW/KyA6zyruJQrYy00a6wqLA7eeUzk3bMiTkLsTeDQfrkaZMfBAjGaaOymRo1C3qzE4rIenmahvUplu9ZmLwL1idWXMRX2RlSvIt+d2SeoKOKQWoc2UOFZMHYxDue7zkyk1CIRaBukTeY13/RIrlc6X61zJ5BBtZXlHwayjQIDAQAB",
  "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC1TQg02RJyHqF9UhGKqupNQVdGZaWOctyp6Dq3ggBOfPU8EuDF+fvBc3egJgAproHgT0JOx5um9voP3eLVsnMsS2kJXKvNQwdRpl3oUZGUYBnkYHtXj1ndU1ANCPD/0AU+0oFHj5v5ADUhVPj+7O7tTTZfr8p8otMFFK8O/8CGUwIDAQAB",
  "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDfvOnCzm1iN58Nm7k6ehoy6v0lnnFI617D6CY3bfuq01RCdEQL96+pYawJieTH8JAQKj02CAa3AeaqdXTE/pDhI/YKLreeMb4K68WMn24Wjjs6oxjBbAmsKXtt9ihKHGBFNUhgFrNFYyA2i7ieJviwpHjQ/XgXiG2u1/t/4VydUwIDAQAB",
  "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQCpohwYUVPH9I7Vbkb3WMe/JB0Y/bmfVj3VpcK445YBRO9K80alesjgBc2tAX4KYg4Lht4EBKccLHTzaNi51YEGX1aLNrSmxhz1+WtzNLNUsyY3zD9zvwX/3k1+JB2dRA+m+Cpwx4mjzZyAeQtHtegVaAytkmqtxQrSCexBxvqRqQIDAQAB",
];

/** Every distinct issuer of the rsa2048 certificates, as DER Name (base64). */
export const AWS_CERTIFICATE_ISSUERS: readonly string[] = [
  "MFwxCzAJBgNVBAYTAlVTMRkwFwYDVQQIExBXYXNoaW5ndG9uIFN0YXRlMRAwDgYDVQQHEwdTZWF0dGxlMSAwHgYDVQQKExdBbWF6b24gV2ViIFNlcnZpY2VzIExMQw==",
];

/** The RSA-2048 certificates for the `rsa2048` PKCS7 (/latest/dynamic/instance-identity/rsa2048), by region. */
export const AWS_RSA2048_CERTIFICATES: Readonly<Record<string, AwsPkcs7CertificateFacts>> = {
  "af-south-1": { key: 0, issuer: 0, serialNumber: "008148f8ee40ebf648", notAfter: "2198-11-07T12:48:04Z" },
  "ap-east-1": { key: 1, issuer: 0, serialNumber: "00ca318b1becdd8b2c", notAfter: "2197-12-23T08:44:44Z" },
  "ap-east-2": { key: 2, issuer: 0, serialNumber: "009b7986032e59ba4c", notAfter: "2203-10-29T14:56:06Z" },
  "ap-northeast-1": { key: 3, issuer: 0, serialNumber: "00bf4a201ec582f83f", subjectKeyIdentifier: "e434b9205754fd0c186e2920b56be45377c3c118", notAfter: "2195-01-17T09:00:25Z" },
  "ap-northeast-2": { key: 4, issuer: 0, serialNumber: "00db82802707b4e261", notAfter: "2195-02-17T15:57:44Z" },
  "ap-northeast-3": { key: 5, issuer: 0, serialNumber: "00c9f5c8f936d9d8ad", notAfter: "2196-12-22T11:12:58Z" },
  "ap-south-1": { key: 6, issuer: 0, serialNumber: "00f458c83f13b660b4", notAfter: "2195-08-11T10:45:01Z" },
  "ap-south-2": { key: 7, issuer: 0, serialNumber: "0085567cfc3f5fcd9f", subjectKeyIdentifier: "f403b569993d44b5e4d99bd156853162f432f6ec", notAfter: "2201-12-08T14:30:28Z" },
  "ap-southeast-1": { key: 8, issuer: 0, serialNumber: "00954c1b0e521e472f", subjectKeyIdentifier: "e92481fb7a802e8acf3153634e8335063de824cb", notAfter: "2195-04-03T08:57:19Z" },
  "ap-southeast-2": { key: 9, issuer: 0, serialNumber: "00bd9b3a06fe76af6b", subjectKeyIdentifier: "ff01c8a3eaf9537d5522c3e85a8455b0d5c6c68c", notAfter: "2195-04-03T09:00:57Z" },
  "ap-southeast-3": { key: 10, issuer: 0, serialNumber: "00cb5dc91707e758fd", subjectKeyIdentifier: "d4682719d3696e72f794b177d09a2683b262f616", notAfter: "2201-09-12T12:39:16Z" },
  "ap-southeast-4": { key: 11, issuer: 0, serialNumber: "00de064d0eb8cd5b3c", subjectKeyIdentifier: "70731dd5c1eace6b10e61a542b710c2e11ddb22e", notAfter: "2201-12-17T13:33:00Z" },
  "ap-southeast-5": { key: 12, issuer: 0, serialNumber: "00d0b7c6d6cf850d86", notAfter: "2203-06-09T12:57:54Z" },
  "ap-southeast-6": { key: 13, issuer: 0, serialNumber: "008ff151f5b04903ad", notAfter: "2204-05-09T12:13:06Z" },
  "ap-southeast-7": { key: 14, issuer: 0, serialNumber: "00d69022b61c8a3c5a", notAfter: "2203-09-17T15:28:56Z" },
  "ca-central-1": { key: 15, issuer: 0, serialNumber: "00934a84985a24eb8c", notAfter: "2196-01-02T11:37:17Z" },
  "ca-west-1": { key: 16, issuer: 0, serialNumber: "00bc939f9207ac8663", subjectKeyIdentifier: "453beefc3778cc39e64b91b909f54b9e650134eb", notAfter: "2203-05-13T15:37:01Z" },
  "cn-north-1": { key: 17, issuer: 0, serialNumber: "00eb6b3395cb0d28c2", notAfter: "2195-01-17T10:01:42Z" },
  "cn-northwest-1": { key: 18, issuer: 0, serialNumber: "00fbb8b2c637065cdc", notAfter: "2195-05-08T21:29:32Z" },
  "eu-central-1": { key: 19, issuer: 0, serialNumber: "00a0febfa2de47f5ab", subjectKeyIdentifier: "c42da5ea9bc96917e582edcc51d37acd3b8fe987", notAfter: "2195-01-17T09:08:19Z" },
  "eu-central-2": { key: 20, issuer: 0, serialNumber: "00bbd3d35da9c53c4d", subjectKeyIdentifier: "f07378bef26bb1980f41e92c3018096fdc51d726", notAfter: "2201-12-22T15:12:07Z" },
  "eu-north-1": { key: 21, issuer: 0, serialNumber: "00b73fb91c60fbe127", notAfter: "2197-09-13T14:00:11Z" },
  "eu-south-1": { key: 22, issuer: 0, serialNumber: "00effe0e0605efc2b0", notAfter: "2198-10-02T20:35:22Z" },
  "eu-south-2": { key: 23, issuer: 0, serialNumber: "00b59298ee83bd2a50", subjectKeyIdentifier: "c2f1b32892fd0392d1789e05c68e4ae88db4c5ca", notAfter: "2201-12-22T13:58:43Z" },
  "eu-west-1": { key: 24, issuer: 0, serialNumber: "00eae6a87b9a52dd2f", subjectKeyIdentifier: "1760e03d4662bca411fd997c981fccc489236435", notAfter: "2195-04-03T09:06:19Z" },
  "eu-west-2": { key: 25, issuer: 0, serialNumber: "00d071d04d9b38210f", notAfter: "2196-01-15T14:56:42Z" },
  "eu-west-3": { key: 26, issuer: 0, serialNumber: "00b5927e01ee4ff011", notAfter: "2196-11-03T11:18:16Z" },
  "eusc-de-east-1": { key: 27, issuer: 0, serialNumber: "00e0d1c518b955705b", subjectKeyIdentifier: "1e97717a1bc9c182f6a36e525f2c6c4a77435b8f", notAfter: "2204-07-28T12:44:14Z" },
  "il-central-1": { key: 28, issuer: 0, serialNumber: "00e569d61d88f705bb", subjectKeyIdentifier: "e7cb4dd893bec841aae496c85f11a2e2f4553f22", notAfter: "2201-12-19T12:44:12Z" },
  "me-central-1": { key: 29, issuer: 0, serialNumber: "00ce21edbd42561aaa", subjectKeyIdentifier: "39a76b6d3b3e3a1cf0a0081427b46a40d770b9f9", notAfter: "2201-09-15T10:15:03Z" },
  "me-south-1": { key: 30, issuer: 0, serialNumber: "00d664165411dab2aa", notAfter: "2198-07-11T13:06:20Z" },
  "mx-central-1": { key: 31, issuer: 0, serialNumber: "00bc6e134d07a09a26", notAfter: "2204-04-06T11:14:33Z" },
  "sa-east-1": { key: 32, issuer: 0, serialNumber: "00c732a31c78534c71", subjectKeyIdentifier: "a81cbb0fce3b61aff0df6d437ebfab0491ac193c", notAfter: "2195-01-17T08:58:02Z" },
  "us-east-1": { key: 33, issuer: 0, serialNumber: "00b169cc401559a419", subjectKeyIdentifier: "af29d23e9e2ea92102c32f8f88ee2ac89f135929", notAfter: "2195-01-17T08:59:12Z" },
  "us-east-2": { key: 34, issuer: 0, serialNumber: "00cd3ba1e5f8c5ebdd", subjectKeyIdentifier: "d824c6604e5f4e3c7b8105f37594863c4580258e", notAfter: "2195-11-14T12:58:18Z" },
  "us-gov-east-1": { key: 35, issuer: 0, serialNumber: "00b3c1ea1c4585acbc", notAfter: "2197-09-13T12:32:49Z" },
  "us-gov-west-1": { key: 36, issuer: 0, serialNumber: "00d08e17443aa219ee", notAfter: "2195-02-13T19:42:47Z" },
  "us-west-1": { key: 37, issuer: 0, serialNumber: "00d34f908a5cc84b48", subjectKeyIdentifier: "81ea7288e36cf23faaebb766716bbe98a2836be8", notAfter: "2195-04-03T09:03:07Z" },
  "us-west-2": { key: 38, issuer: 0, serialNumber: "00b64bde5ad00924cc", subjectKeyIdentifier: "edca10c7c42777be6a03d5e8b52593dc886f266a", notAfter: "2195-01-17T09:01:32Z" },
};

/** The RSA certificates for the base64 `signature` (/latest/dynamic/instance-identity/signature, RSA PKCS#1 v1.5 SHA-256), by region. */
export const AWS_SIGNATURE_CERTIFICATES: Readonly<Record<string, AwsCertificateFacts>> = {
  "af-south-1": { key: 39, notAfter: "2199-05-02T07:14:05Z" },
  "ap-east-1": { key: 40, notAfter: "2029-02-02T03:00:06Z" },
  "ap-east-2": { key: 41, notAfter: "2203-10-29T14:56:06Z" },
  "ap-northeast-1": { key: 42, notAfter: "2029-04-28T12:23:10Z" },
  "ap-northeast-2": { key: 42, notAfter: "2029-04-28T13:38:46Z" },
  "ap-northeast-3": { key: 42, notAfter: "2029-04-28T16:54:07Z" },
  "ap-south-1": { key: 42, notAfter: "2029-04-28T14:13:01Z" },
  "ap-south-2": { key: 43, notAfter: "2031-05-27T10:43:29Z" },
  "ap-southeast-1": { key: 42, notAfter: "2029-04-28T14:30:14Z" },
  "ap-southeast-2": { key: 42, notAfter: "2029-04-28T15:21:43Z" },
  "ap-southeast-3": { key: 44, notAfter: "2031-04-21T12:06:40Z" },
  "ap-southeast-4": { key: 45, notAfter: "2031-06-02T10:43:53Z" },
  "ap-southeast-5": { key: 46, notAfter: "2203-06-09T12:57:54Z" },
  "ap-southeast-6": { key: 47, notAfter: "2204-05-09T12:13:06Z" },
  "ap-southeast-7": { key: 48, notAfter: "2203-09-17T15:28:56Z" },
  "ca-central-1": { key: 42, notAfter: "2029-04-28T15:35:43Z" },
  "ca-west-1": { key: 49, notAfter: "2031-06-16T09:21:43Z" },
  "cn-north-1": { key: 50, notAfter: "2028-07-02T08:35:39Z" },
  "cn-northwest-1": { key: 50, notAfter: "2028-07-02T08:35:39Z" },
  "eu-central-1": { key: 42, notAfter: "2029-04-28T15:55:29Z" },
  "eu-central-2": { key: 51, notAfter: "2031-05-25T10:54:00Z" },
  "eu-north-1": { key: 42, notAfter: "2029-04-28T16:06:03Z" },
  "eu-south-1": { key: 52, notAfter: "2199-03-29T15:19:09Z" },
  "eu-south-2": { key: 53, notAfter: "2031-06-08T08:43:31Z" },
  "eu-west-1": { key: 42, notAfter: "2029-04-28T16:18:10Z" },
  "eu-west-2": { key: 42, notAfter: "2029-04-28T16:29:14Z" },
  "eu-west-3": { key: 42, notAfter: "2029-04-28T16:37:38Z" },
  "eusc-de-east-1": { key: 54, notAfter: "2204-03-24T09:39:37Z" },
  "il-central-1": { key: 55, notAfter: "2031-06-11T09:24:29Z" },
  "me-central-1": { key: 56, notAfter: "2200-04-14T18:39:33Z" },
  "me-south-1": { key: 57, notAfter: "2198-09-29T14:32:47Z" },
  "mx-central-1": { key: 58, notAfter: "2029-04-01T12:50:36Z" },
  "sa-east-1": { key: 42, notAfter: "2029-04-28T16:46:09Z" },
  "us-east-1": { key: 42, notAfter: "2029-04-28T17:34:01Z" },
  "us-east-2": { key: 42, notAfter: "2029-04-28T17:11:49Z" },
  "us-gov-east-1": { key: 59, notAfter: "2029-05-06T15:22:36Z" },
  "us-gov-west-1": { key: 59, notAfter: "2029-05-06T17:30:32Z" },
  "us-west-1": { key: 42, notAfter: "2029-04-28T17:02:43Z" },
  "us-west-2": { key: 42, notAfter: "2029-04-28T17:23:59Z" },
};
