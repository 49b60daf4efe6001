import XCTest
@testable import Redaction

/// PEM private keys base64-encoded as a whole (`LS0tLS1CRUdJTi…` is `-----BEGIN`), as kubeconfig
/// `client-key-data` and Kubernetes Secret `tls.key` carry them. Throwaway keys generated with
/// `openssl genrsa -traditional 2048`, `openssl genrsa 2048`, `openssl ecparam -genkey`,
/// `openssl genpkey -algorithm ed25519`, `ssh-keygen -t ed25519`, then `base64`; the negatives are
/// a self-signed certificate (`openssl req -x509`) and a public key (`openssl pkey -pubout`).
/// Each positive case failed before `base64PEMKey`.
final class Base64PEMTests: XCTestCase, DetectionAssertions {
    let engine = RedactionEngine()

    static let rsaTraditional = "LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQpNSUlFcEFJQkFBS0NBUUVBcWRJNDlaSm13bTRncXg4NEJnbkZXbjFKQmNmdkI5RVJodmh3L2ZkNVBOaFdjOWZkCmFVLy9kMEhTWUt4RWczdTlTeFNUdjZVVlJtLzU1U1dNUDNpTUp0dDIwYWNJalNGN3RYcnNVaThMa3ZJYjlISlcKY0JQbjlIQ3dHdmlJZGJ6NndGMjlvNHo1YTNGek9wOEhiaC9RZjhHZEhNVjhoa1VwdjdLM1hGMkxOQzlpMW02egpkREYvcjlkSlpvUFdHM0MxTGRRM1hya2NsRU9VR0FSTzFzekNyTVdXWEpmdXJJRXJaaS92R1FQSktTMmRmaFBhCnNrSkNwMk9sV2FvSFF5SkswYkZZSXRKbTJqVGtBN1Vwb1E5R0ZsUTVDYlBLWU9ydlpyOTlOTUlZWVNMQllTeXoKTThPQmtFYnU3SXNPQzU1T3R3czlMZlFtUS9tNmI0bnFkMGNmNlFJREFRQUJBb0lCQUVOdElZcDNmMjl4VkcwOQpMdnhPd3RvajVtdHlMN2oxekxTL1RmVzRYWjNIODhONUVRTXdiU2xIckNVUUlQL25rSWdQK24zY0tPOVhwR3ZVCkZiUlp3NlBsL1c1T21MbVljc3JpckpRUTg5SjdhSmdORWI3Y1dIdVlob09lN0dkN0NrQjR0OFFKUkRyaHg3T2QKMHRCcHQxb1NZTFE4d1MxNnBwSGpmcVFnekJXQ21Vd1hDOE5uTWRDZk05Vk9LbGRhUGkyRTVvMlFiMEc1MEwzZgptZm5adWdBVTA5cjJqMi80WTEyVEtxYU56OGpIVG1rQW1DYmJQR2JpZW8vWDhDdWNmUkxNa01lalUxSk9kVEpJCkNtL1NiQWJkSG1NcTZERnRVVkEzTXpXaE15eVJwY1pzRXo4YnBSRkdUdFVqd1l0RmZQbnlOdGU1R3UrV2pKMXgKWTAwZ3BpVUNnWUVBMmIrTGsxYXVGTE4rcmpGOEx3ZGdYUjk3YXVxbzFTWHU3SlVDRUNyRzZyUlVSc3lxSEozMQpjdFZlQlMySkk0M084UHVNcHdPSXlxU2RFTFBUNFVDbG4zaExTdUNhTkZMank0VlY5MGUvMWJJa09sNDZWK3pVCjZSbVd0RDBLekNMZk9qT2l2b2JOTzdDaDdvdzRDQTNkYzN4bnY0VmEvTlZJdEdhS1Q4K0hDMmNDZ1lFQXg2ZFUKRWN2WXlDcEtWaDVHTFkwK3dXTGdRQmpRZUYxWlpzOFZrWXRwZnczOWI5OTZCVmtYY3lERWMrN1cxbUVDT08xMQpwaVZINmVXUk5yMHE5cW13MEorVUFCZllaelM2S2F4NHE2cEh0NitnRzhuQTVmLzY5bGF0ZW9UNmtzdVhaVGM0Cm5lR1Q2eTBNUUoySUp5QkQ5VGVpMS9iUUEyR1hrZlJIZHdRbXVDOENnWUVBbVJOSEUvVkR1OW5UbkxHOUUzS2sKRTlNbCtDdXZOT2pONWhONnQ5TGFzL1RCcW1RRzBzZFkzYm1SdHlJajNwSzZnRDdXeWpKNTM3dUpqMHhjRDJaYgpDSmlRbGJyL3JQajRtd0xKUkdWMFBzNVZHWk5VZ0t0Rm9ma1RNUElZdlJsbXhJdTRSU2lPN3Y5bFYwWEx2aDNCCktJYTBpTGMvRjY3NHhabXdjaHI2WE5FQ2dZQlB1TkFIL3liRDNxY3FOaEo5cyszQUdMUkV3K1BTZkN2cnNuc0IKVC9MREtobnQ1d1Y1UnpibTRNbXhKVWloOThDRWJNVlNuNFpVcmpkSzdVUlBsRGluUldFNm5FcnNBeERtL1JoKwpLNU5SbEk1UktrR2RWWmFuY0xyNnRraTcveEduOStIaW9TV0lmY2Ryc2J1aEsvQVc1YTFmb1EwMG5HNkNlRkZsCkE4SldQd0tCZ1FDV0UrVzhVMC8zQWtaWCtoRWc4UFJNSUVFZ24xOGMveVltUUM4bW1XS0tBVklIa2o3WXFpMzQKeEFBWlZDZmpLYitoT0VWbU5wYjdIV0U3WXprWkdmUys2cjlFUkpnR3IzelE2SWxuQ0ZTNWxnekxCbHhpMTdERgp6cjB0bHlpUkxRaFNPWERUZ3hzaVJHc0l4Y2RNOFErWmF5czh0VHhoV0FndkNLeEVpandvQnc9PQotLS0tLUVORCBSU0EgUFJJVkFURSBLRVktLS0tLQo="  // -----BEGIN RSA PRIVATE KEY-----
    static let rsaPKCS8 = "LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0tCk1JSUV2Z0lCQURBTkJna3Foa2lHOXcwQkFRRUZBQVNDQktnd2dnU2tBZ0VBQW9JQkFRRGg0Y1lPblMza0REZGkKYkxnSjNaVFU1KzB3c3JVK0JyVEl2Z3EybWZwbDZwbDAyM0tVREhTamIyREJDOEF2c2UwVytZc0orTWc2KzQ0MQpiYm5aekdraS9XaWJVampzRWVMaFRCV2xwZDl0MStiMTFtTHJ0RzlZZXZsRkNxdnJiZEl0NEg1M3hHM2Jzakd0CkhsVWh3MWF2ZDBEQjgrL3MzQklwV24yM2lwUWhEODhJNzBEemZjMDNOSEkyMEFpMklROG9wK1FrVk42dnlLbWsKQmk0WU5QL09hTFJUanR1Sy90YnR6WTlxaWQ5R3FtNmdwSGxWTnlZRG10UlNmZy9oSjRPWEdVdjJHaC93MGNVcApJcDhCc2ZhS3Vnd1NRLzZDVzNFVUtmTzMzc0VZUzc3L21MYW5HdVpock45WUFXRDFCWXhlTGZaRUdTUVd0dGhUCnA1a1pxalUvQWdNQkFBRUNnZ0VBQk9IVTNvNytKVzR3S2tQd1RHSktLN25oa2dwaXlYYnFwR1liSkN3NjBjWWEKMEFCSVB6UHZ0M0thVkVIVlF4S2s3Yml5RFNLZjdVcHZuZThEczlYcnRkSmxWdW9WaWVDdkZ6Q0dUVURERGdRNwpIVGduaGpHdHNHdGtCTjZBcmNOL1pmZHl0RkwrRHVBUW04M0tpRUxKRmx6TS9RUXhQTnphMWFMN2thS0FwaUEvCmJ0WkJGSXVkLzJTZGZOUmtvYUlNNUhmc0JCaHRwVndtM3MxcW5VVGpHNkJvalNWVS80UjRmMnJMd2FIWHlMUncKUTBTTTFKSWQ4QmN5ekxrOEtzelZ0aGZYZ05JVkZZaDcvL1RiSVNaclBOUU1hTzFNME9ueHcrbEV6cTVycVg5egp6enEvSG8xUEVLcVQ0dHlPSVpRcW1zS2g5MGZJRVBlS1djNDFyblh2K1FLQmdRRC9iRlE0TEdoNE5XUnFFaUd5CnpXdGhDVTc0T05qamsxSVo4cTRGcnMxd0pnZjVhRjl1U0ozZXpHNVhwWUR1QkZORGdNQmhOVUdISW9Jamx6dy8KVnFVYTVIMlVtMU91NENmeDMzazRKeGVsSWxOTFEvTzE0VC9McklzVTU3eUd3eEhtUUJ5MVFJQmo4NHZDMUxhVwpXSFlXMUFwMUY5azA3SmZhL0I3NUF2Q0Jwd0tCZ1FEaVpGMmFIbGEvWFBnVm5nK1M1bFBQMHgweHJXb2l1b3VxCkxYTzcyZjlOeDdzbTVMTTl3VmhoeVIvQVVtK2NUd3FpNk0yVGN3TmF0U2UxNVhOYWhSWlZBdTZQN1QweVZQZEMKenB6VFlTVTZJOE9EZEJmRE5zc1pqRTFTcXdzZmdubzRhUDhQV21yZDRmTWJXVi9CMG5RaTNzUTRjaVY4Ukh6cApDYmcvMGg0eXFRS0JnUURML2tPZy9XNk9HdTVRZkp5blJjSXRwSmFLVGpTQ1JPVjhUY0pJVFp4THBrUVdJQktmCmJLV1JEQ3BRRzZGRjl2UmM1QlpCVEp4Q0JnQnoxbFJLcmJOOUwrRlA3Mkc5Tjg4UE1KQ0tsVVlnSDdMd1dKdnEKdGJRU3dZSHV0MGx0UTV3bkRTc2dZeHhuTjFwMnh4WHdLMFJjNVFwWkRDdndSY2plSHgvSmRseUkzd0tCZ0hWVwo3K3pockxTaXl6THBLY2xKK0ViUGRXSTZMN2l3VjVOczIzK1NEZkdTaEQ0MGEzS21zOWg3Rmlub2tGREQ1dzlvCitxUmlDR3NMV2ZtOVkzeVhYbXZSaVRTd0VmZjBjZlArZ3VwTWY2OFN1bE4zNkprVjNVN3dtV012cENSQXpIaFEKYzJMUnluSVdtcHFpU0M5OWxSUTl3aFkvazQ1Rk1UallBTmVUWUhPQkFvR0JBSVZWTnlpTE82L3hBTVEzc1pvSAppWmJ1ZnBUeFpuenRKdGpmdjZiaXhZMFROTHdRUyt6L3pLTjRic21NanhUclAzV1oyUUFPVlUwdmZCaWJsS0c4Ckkrd3VPdnBpOGlZL0VvK2JjRC9xZlZ6TllwMTgzczFvVXFRa3lENUxBTjFjVGpwR25OditiajZ5Y0JQb1QxMGYKb1M4TmJzK3NTcVNoRGlpN25VZ2s5dit1Ci0tLS0tRU5EIFBSSVZBVEUgS0VZLS0tLS0K"  // -----BEGIN PRIVATE KEY-----
    static let ec = "LS0tLS1CRUdJTiBFQyBQUklWQVRFIEtFWS0tLS0tCk1IY0NBUUVFSU5OcllEbmo1NzhpNVUzWC92b1RLNWxlNFg2R1dZNzd4ZGN5U2JzekVNVzlvQW9HQ0NxR1NNNDkKQXdFSG9VUURRZ0FFM1ArbUkxY056TTJaSldFMXVIYk9OODNoNEhWb3NnNmNQRVRYMFJKTkVZcW12N0pENGhkQQpSSlIyZFBCcjlPSHd0QWNNbGppVjJrUFlJc3VFOXAxUGZnPT0KLS0tLS1FTkQgRUMgUFJJVkFURSBLRVktLS0tLQo="  // -----BEGIN EC PRIVATE KEY-----
    static let ed25519 = "LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0tCk1DNENBUUF3QlFZREsyVndCQ0lFSUkrVjZVME1GOVBTVDJCQytoU1V3L1lyK0J4bzNsMkZaMzBMWmV4Tnlkb3AKLS0tLS1FTkQgUFJJVkFURSBLRVktLS0tLQo="  // -----BEGIN PRIVATE KEY-----
    static let openSSH = "LS0tLS1CRUdJTiBPUEVOU1NIIFBSSVZBVEUgS0VZLS0tLS0KYjNCbGJuTnphQzFyWlhrdGRqRUFBQUFBQkc1dmJtVUFBQUFFYm05dVpRQUFBQUFBQUFBQkFBQUFNd0FBQUF0emMyZ3RaVwpReU5UVXhPUUFBQUNCb0VSVzlmdVg5NEE1UGM5WXJ2dFFqM0ZPZ2ViZ3lPVnJ1d3hHOVZ6cCtPd0FBQUpCbUNubkdaZ3A1CnhnQUFBQXR6YzJndFpXUXlOVFV4T1FBQUFDQm9FUlc5ZnVYOTRBNVBjOVlydnRRajNGT2dlYmd5T1ZydXd4RzlWenArT3cKQUFBRUNUb3BMQmJWY2tPWHh0YlFSNkxJdzI2TS9WQXBLaTZPd1I5Tit3Qm13b2htZ1JGYjErNWYzZ0RrOXoxaXUrMUNQYwpVNkI1dURJNVd1N0RFYjFYT240N0FBQUFCM0p2YjNSQWRtMEJBZ01FQlFZPQotLS0tLUVORCBPUEVOU1NIIFBSSVZBVEUgS0VZLS0tLS0K"  // -----BEGIN OPENSSH PRIVATE KEY-----
    static let certificate = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUJNakNCNWFBREFnRUNBaFJmdG1SdmZCWWMrOHVlT2ZOUmN0ZzM3MGQ3K3pBRkJnTXJaWEF3RHpFTk1Bc0cKQTFVRUF3d0VkR1Z6ZERBZUZ3MHlOakV4TWpVd01UTXpNVE5hRncweU5qRXhNall3TVRNek1UTmFNQTh4RFRBTApCZ05WQkFNTUJIUmxjM1F3S2pBRkJnTXJaWEFESVFDMU1iWUYxZmRoVTl0UzByRTZWbmpIWXhwZjRiT3laSDBRCkpMNW1DOFNxS3FOVE1GRXdIUVlEVlIwT0JCWUVGSmFlN1RuQ1puN255MGVEL1FQNU9XcWFETXliTUI4R0ExVWQKSXdRWU1CYUFGSmFlN1RuQ1puN255MGVEL1FQNU9XcWFETXliTUE4R0ExVWRFd0VCL3dRRk1BTUJBZjh3QlFZRApLMlZ3QTBFQWh3SnZXeEFBT1MxNUNNK0huTXBvamx5MEZKKy9LYnd4RUFsQ3JrZDRMa1NLMG8yL20vUFh6cktNCnV3dzFBUUswZ1N5UWswYnJtNk93SjdNVFhXWTREdz09Ci0tLS0tRU5EIENFUlRJRklDQVRFLS0tLS0K"  // -----BEGIN CERTIFICATE-----
    static let publicKey = "LS0tLS1CRUdJTiBQVUJMSUMgS0VZLS0tLS0KTUNvd0JRWURLMlZ3QXlFQXFNTEliaDFPOFFBbktlRk15YWFUeDFIWW15cEM2ME5kL3IvYzVBNWNLd1E9Ci0tLS0tRU5EIFBVQkxJQyBLRVktLS0tLQo="  // -----BEGIN PUBLIC KEY-----
    /// `openssl base64` (64 columns) and `base64` (76 columns) output.
    static let ec64Lines = [
            "LS0tLS1CRUdJTiBFQyBQUklWQVRFIEtFWS0tLS0tCk1IY0NBUUVFSU5OcllEbmo1",
            "NzhpNVUzWC92b1RLNWxlNFg2R1dZNzd4ZGN5U2JzekVNVzlvQW9HQ0NxR1NNNDkK",
            "QXdFSG9VUURRZ0FFM1ArbUkxY056TTJaSldFMXVIYk9OODNoNEhWb3NnNmNQRVRY",
            "MFJKTkVZcW12N0pENGhkQQpSSlIyZFBCcjlPSHd0QWNNbGppVjJrUFlJc3VFOXAx",
            "UGZnPT0KLS0tLS1FTkQgRUMgUFJJVkFURSBLRVktLS0tLQo=",
        ]
    static let ed25519Lines76 = [
            "LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0tCk1DNENBUUF3QlFZREsyVndCQ0lFSUkrVjZVME1G",
            "OVBTVDJCQytoU1V3L1lyK0J4bzNsMkZaMzBMWmV4Tnlkb3AKLS0tLS1FTkQgUFJJVkFURSBLRVkt",
            "LS0tLQo=",
        ]
    static let openSSHLines76 = [
            "LS0tLS1CRUdJTiBPUEVOU1NIIFBSSVZBVEUgS0VZLS0tLS0KYjNCbGJuTnphQzFyWlhrdGRqRUFB",
            "QUFBQkc1dmJtVUFBQUFFYm05dVpRQUFBQUFBQUFBQkFBQUFNd0FBQUF0emMyZ3RaVwpReU5UVXhP",
            "UUFBQUNCb0VSVzlmdVg5NEE1UGM5WXJ2dFFqM0ZPZ2ViZ3lPVnJ1d3hHOVZ6cCtPd0FBQUpCbUNu",
            "bkdaZ3A1CnhnQUFBQXR6YzJndFpXUXlOVFV4T1FBQUFDQm9FUlc5ZnVYOTRBNVBjOVlydnRRajNG",
            "T2dlYmd5T1ZydXd4RzlWenArT3cKQUFBRUNUb3BMQmJWY2tPWHh0YlFSNkxJdzI2TS9WQXBLaTZP",
            "d1I5Tit3Qm13b2htZ1JGYjErNWYzZ0RrOXoxaXUrMUNQYwpVNkI1dURJNVd1N0RFYjFYT240N0FB",
            "QUFCM0p2YjNSQWRtMEJBZ01FQlFZPQotLS0tLUVORCBPUEVOU1NIIFBSSVZBVEUgS0VZLS0tLS0K",
        ]
    static let certificateLines76 = [
            "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUJNakNCNWFBREFnRUNBaFJmdG1SdmZCWWMr",
            "OHVlT2ZOUmN0ZzM3MGQ3K3pBRkJnTXJaWEF3RHpFTk1Bc0cKQTFVRUF3d0VkR1Z6ZERBZUZ3MHlO",
            "akV4TWpVd01UTXpNVE5hRncweU5qRXhNall3TVRNek1UTmFNQTh4RFRBTApCZ05WQkFNTUJIUmxj",
            "M1F3S2pBRkJnTXJaWEFESVFDMU1iWUYxZmRoVTl0UzByRTZWbmpIWXhwZjRiT3laSDBRCkpMNW1D",
            "OFNxS3FOVE1GRXdIUVlEVlIwT0JCWUVGSmFlN1RuQ1puN255MGVEL1FQNU9XcWFETXliTUI4R0Ex",
            "VWQKSXdRWU1CYUFGSmFlN1RuQ1puN255MGVEL1FQNU9XcWFETXliTUE4R0ExVWRFd0VCL3dRRk1B",
            "TUJBZjh3QlFZRApLMlZ3QTBFQWh3SnZXeEFBT1MxNUNNK0huTXBvamx5MEZKKy9LYnd4RUFsQ3Jr",
            "ZDRMa1NLMG8yL20vUFh6cktNCnV3dzFBUUswZ1N5UWswYnJtNk93SjdNVFhXWTREdz09Ci0tLS0t",
            "RU5EIENFUlRJRklDQVRFLS0tLS0K",
        ]

    func assertFinds(_ value: String, in text: String, file: StaticString = #filePath, line: UInt = #line) {
        let hits = found(text)
        XCTAssertTrue(hits.contains { $0.0 == EntityType.secret.name && $0.1 == value },
                      "expected SECRET \(value.debugDescription) in \(text.debugDescription), got \(hits)", file: file, line: line)
    }

    /// Nothing detected overlaps `value` (a certificate or public key).
    func assertLeavesAlone(_ value: String, in text: String, file: StaticString = #filePath, line: UInt = #line) {
        let hits = found(text)
        let fragment = String(value.prefix(20))
        XCTAssertFalse(hits.contains { $0.1.contains(fragment) || value.contains($0.1) },
                       "expected \(fragment)… left alone in \(text.debugDescription), got \(hits)", file: file, line: line)
    }

    func testKubeconfigClientKeyData() {
        let kubeconfig = """
        users:
        - name: admin
          user:
            client-certificate-data: \(Self.certificate)
            client-key-data: \(Self.rsaTraditional)
        """
        assertFinds(Self.rsaTraditional, in: kubeconfig)
        assertLeavesAlone(Self.certificate, in: kubeconfig)
    }

    func testKubernetesTLSSecret() {
        let yaml = """
        apiVersion: v1
        kind: Secret
        type: kubernetes.io/tls
        data:
          tls.crt: \(Self.certificate)
          tls.key: \(Self.rsaPKCS8)
        """
        assertFinds(Self.rsaPKCS8, in: yaml)
        assertLeavesAlone(Self.certificate, in: yaml)
        let json = #"{"data":{"tls.crt":"\#(Self.certificate)","tls.key":"\#(Self.ed25519)"}}"#
        assertFinds(Self.ed25519, in: json)
        assertLeavesAlone(Self.certificate, in: json)
    }

    func testECAndOpenSSHKeys() {
        assertFinds(Self.ec, in: "key: \(Self.ec)\n")
        assertFinds(Self.openSSH, in: "id_ed25519_b64=\"\(Self.openSSH)\"")
        assertFinds(Self.ed25519, in: "the key is \(Self.ed25519), rotate it")
        // Unpadded (the PEM text's length a multiple of 3 or base64 with the padding dropped).
        let unpadded = String(Self.ed25519.prefix(while: { $0 != "=" }))
        assertFinds(unpadded, in: "k \(unpadded) end")
    }

    func testWrappedLinesAreOneSpan() {
        // `openssl base64`: 64 columns, the last line short.
        let ec = Self.ec64Lines.joined(separator: "\n")
        assertFinds(ec, in: "$ openssl base64 -in ec.pem\n\(ec)\n$ exit\n")
        assertFinds(Self.ec64Lines.joined(separator: "\r\n"), in: "\(Self.ec64Lines.joined(separator: "\r\n"))\r\n")
        // `base64`: 76 columns; the OpenSSH key's last line is full and then the text moves on.
        let ssh = Self.openSSHLines76.joined(separator: "\n")
        assertFinds(ssh, in: "\(ssh)\nnext line of prose\n")
        // Escaped newlines in a JSON string.
        let escaped = Self.ed25519Lines76.joined(separator: "\\n")
        assertFinds(escaped, in: #"{"payload":"\#(escaped)\n","id":7}"#)
        // An indented YAML block scalar, then the next key.
        let indented = Self.ed25519Lines76.joined(separator: "\n    ")
        assertFinds(indented, in: "  key.b64: |\n    \(indented)\n  tls.crt: x\n")
    }

    func testCertificatesAndPublicKeysAreLeftAlone() {
        assertLeavesAlone(Self.certificate, in: "cert: \(Self.certificate)")
        assertLeavesAlone(Self.publicKey, in: "pub \(Self.publicKey) ok")
        let wrapped = Self.certificateLines76.joined(separator: "\n")
        assertLeavesAlone(wrapped, in: wrapped + "\n")
        // The prefix alone, or a header that is not a PEM label.
        XCTAssertTrue(found("LS0tLS1CRUdJTi and LS0tLS1CRUdJTiBGT08= x").isEmpty)
    }

    func testRedactionReplacesTheWholeRun() throws {
        let text = "client-key-data: \(Self.rsaTraditional)\nnext: 1"
        let out = try engine.redactText(text, region: "us")
        XCTAssertFalse(out.text.contains("LS0tLS1CRUdJTi"), out.text)
        XCTAssertFalse(out.text.contains(String(Self.rsaTraditional.suffix(24))), out.text)
        XCTAssertTrue(out.text.hasSuffix("\nnext: 1"), out.text)
    }
}
